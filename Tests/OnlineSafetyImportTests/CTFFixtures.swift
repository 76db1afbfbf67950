import Foundation

/// The project's own Common Transfer File fixtures: synthetic pupils and contacts, written for
/// these tests (no real child's data, nothing copied from elsewhere).
enum CTFFixtures {
    /// CTF 25, full, eleven pupils: seven good (two siblings sharing parents, an unknown LA
    /// code, a temporary UPN), four to reject (a bad check letter, year 15, 30 February, no
    /// forename), and contacts with every field the reader maps.
    static let ctf25Full = #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <CTfile>
          <Header>
            <DocumentName>Common Transfer File</DocumentName>
            <CTFversion>25.0</CTFversion>
            <DateTime>2025-09-15T10:30:00</DateTime>
            <DocumentQualifier>full</DocumentQualifier>
            <SupplierID>Fixture MIS</SupplierID>
            <SourceSchool>
              <LEA>886</LEA>
              <Estab>2074</Estab>
              <URN>118377</URN>
              <SchoolName>Oakfield Primary &amp; Nursery</SchoolName>
              <AcademicYear>2025</AcademicYear>
            </SourceSchool>
            <DestSchool>
              <LEA>886</LEA>
              <Estab>2074</Estab>
            </DestSchool>
          </Header>
          <CTFpupilData>
            <Pupil>
              <UPN>W886207424001</UPN>
              <Surname>Quillfeather</Surname>
              <Forename>Amberly</Forename>
              <DOB>2019-03-14</DOB>
              <Sex>F</Sex>
              <BasicDetails>
                <PreferredForename>Amby</PreferredForename>
                <NCyearActual>1</NCyearActual>
                <Ethnicity>WBRI</Ethnicity>
              </BasicDetails>
              <LookedAfter>
                <InCare>true</InCare>
                <CareAuthority>886</CareAuthority>
              </LookedAfter>
              <SENhistory>
                <SEN>
                  <StartDate>2024-09-04</StartDate>
                  <SENprovision>K</SENprovision>
                </SEN>
              </SENhistory>
              <Email>amby.q@pupils.example.org</Email>
              <Contacts>
                <Contact>
                  <Order>1</Order>
                  <Title>Mrs</Title>
                  <Surname>Quillfeather</Surname>
                  <Forename>Rosalind</Forename>
                  <Relationship>PAM</Relationship>
                  <Responsibility>true</Responsibility>
                  <Address>
                    <AddressAsPupil>true</AddressAsPupil>
                  </Address>
                  <Phones>
                    <Phone>
                      <TelephoneType>M</TelephoneType>
                      <PhoneNo>07700 900101</PhoneNo>
                    </Phone>
                    <Phone>
                      <TelephoneType>H</TelephoneType>
                      <PhoneNo>01632 960102</PhoneNo>
                    </Phone>
                  </Phones>
                  <Email>rosalind.q@parents.example.org</Email>
                </Contact>
                <Contact>
                  <Order>2</Order>
                  <Title>Mr</Title>
                  <Surname>Quillfeather</Surname>
                  <Forename>Barnaby</Forename>
                  <Relationship>PAF</Relationship>
                  <Responsibility>true</Responsibility>
                  <Address>
                    <BS7666Address>
                      <PAON>14</PAON>
                      <Street>Larkspur Row</Street>
                      <Town>Fixtureton</Town>
                    </BS7666Address>
                    <Postcode>ZZ9 9ZZ</Postcode>
                  </Address>
                  <Phones>
                    <Phone>
                      <TelephoneType>M</TelephoneType>
                      <PhoneNo>07700 900103</PhoneNo>
                    </Phone>
                  </Phones>
                </Contact>
              </Contacts>
            </Pupil>
            <Pupil>
              <UPN>K886207424002</UPN>
              <Surname>Quillfeather</Surname>
              <Forename>Tobiah</Forename>
              <DOB>2021-07-02</DOB>
              <Sex>M</Sex>
              <BasicDetails>
                <NCyearActual>N2</NCyearActual>
              </BasicDetails>
              <LookedAfter>
                <InCare>false</InCare>
              </LookedAfter>
              <SENhistory>
                <SEN>
                  <SENprovision>N</SENprovision>
                </SEN>
              </SENhistory>
              <Contacts>
                <Contact>
                  <Order>1</Order>
                  <Title>Mrs</Title>
                  <Surname>Quillfeather</Surname>
                  <Forename>Rosalind</Forename>
                  <Relationship>PAM</Relationship>
                  <Responsibility>true</Responsibility>
                  <Address>
                    <AddressAsPupil>true</AddressAsPupil>
                  </Address>
                  <Email>rosalind.q@parents.example.org</Email>
                </Contact>
                <Contact>
                  <Order>2</Order>
                  <Title>Mr</Title>
                  <Surname>Quillfeather</Surname>
                  <Forename>Barnaby</Forename>
                  <Relationship>PAF</Relationship>
                  <Responsibility>true</Responsibility>
                </Contact>
              </Contacts>
            </Pupil>
            <Pupil>
              <UPN>Z886207424003</UPN>
              <Surname>O&apos;Brannagh</Surname>
              <Forename>Ren&#233;e</Forename>
              <DOB>2020-11-30</DOB>
              <Sex>F</Sex>
              <BasicDetails>
                <PreferredSurname>Brannagh-Vale</PreferredSurname>
                <NCyearActual>R</NCyearActual>
              </BasicDetails>
              <Contacts>
                <Contact>
                  <Order>1</Order>
                  <Surname>Vale</Surname>
                  <Forename>Morwenna</Forename>
                  <Relationship>CAR</Relationship>
                  <Responsibility>false</Responsibility>
                </Contact>
                <Contact>
                  <Order>2</Order>
                  <Surname>Trevelyan</Surname>
                  <Forename>Cadoc</Forename>
                  <Relationship>ZZQ</Relationship>
                  <Responsibility>false</Responsibility>
                </Contact>
              </Contacts>
            </Pupil>
            <Pupil>
              <UPN>A886207424004</UPN>
              <Surname>Wrongletter</Surname>
              <Forename>Percival</Forename>
              <DOB>2018-05-05</DOB>
              <Sex>M</Sex>
            </Pupil>
            <Pupil>
              <UPN>C500123424011</UPN>
              <Surname>Unknownla</Surname>
              <Forename>Delphine</Forename>
              <DOB>2006-01-20</DOB>
              <Sex>F</Sex>
              <BasicDetails>
                <NCyearActual>14</NCyearActual>
              </BasicDetails>
            </Pupil>
            <Pupil>
              <UPN>V88620742401A</UPN>
              <Surname>Temporaria</Surname>
              <Forename>Jasper</Forename>
              <DOB>2012-08-08</DOB>
              <Sex>M</Sex>
              <BasicDetails>
                <NCyearActual>X</NCyearActual>
              </BasicDetails>
            </Pupil>
            <Pupil>
              <UPN>R886207424006</UPN>
              <Surname>Fifteenyear</Surname>
              <Forename>Octavia</Forename>
              <DOB>2005-04-04</DOB>
              <Sex>F</Sex>
              <BasicDetails>
                <NCyearActual>15</NCyearActual>
              </BasicDetails>
            </Pupil>
            <Pupil>
              <UPN>F886207424007</UPN>
              <Surname>Leapless</Surname>
              <Forename>Horatio</Forename>
              <DOB>2019-02-30</DOB>
              <Sex>M</Sex>
            </Pupil>
            <Pupil>
              <UPN>V886207424008</UPN>
              <Surname>Nameless</Surname>
              <DOB>2017-12-12</DOB>
              <Sex>F</Sex>
            </Pupil>
            <Pupil>
              <UPN>J886207424009</UPN>
              <Surname>Nurseryone</Surname>
              <Forename>Ottilie</Forename>
              <DOB>2022-06-16</DOB>
              <Sex>F</Sex>
              <BasicDetails>
                <NCyearActual>N1</NCyearActual>
              </BasicDetails>
              <Contacts>
                <Contact>
                  <Order>first</Order>
                  <Surname>Nurseryone</Surname>
                  <Forename>Wilhelmina</Forename>
                  <Relationship>PAM</Relationship>
                  <Responsibility>true</Responsibility>
                </Contact>
                <Contact>
                  <Order>2</Order>
                  <Surname>Ashgrove</Surname>
                  <Forename>Evander</Forename>
                  <Relationship>GRF</Relationship>
                  <Responsibility>false</Responsibility>
                </Contact>
              </Contacts>
            </Pupil>
            <Pupil>
              <UPN>V886207424010</UPN>
              <Surname>Fosterley</Surname>
              <Forename>Cosmo</Forename>
              <DOB>2013-10-01</DOB>
              <Sex>M</Sex>
              <BasicDetails>
                <NCyearActual>7</NCyearActual>
              </BasicDetails>
              <LookedAfter>
                <InCare>true</InCare>
              </LookedAfter>
              <Contacts>
                <Contact>
                  <Order>1</Order>
                  <Title>Ms</Title>
                  <Surname>Hearthwood</Surname>
                  <Forename>Ysolde</Forename>
                  <Relationship>FOM</Relationship>
                  <Responsibility>false</Responsibility>
                  <Phones>
                    <Phone>
                      <PhoneNo>07700 900111</PhoneNo>
                    </Phone>
                  </Phones>
                </Contact>
                <Contact>
                  <Order>2</Order>
                  <Surname>Caseworth</Surname>
                  <Forename>Thaddeus</Forename>
                  <Relationship>SWR</Relationship>
                  <Responsibility>true</Responsibility>
                  <Email>t.caseworth@council.example.org</Email>
                </Contact>
                <Contact>
                  <Order>3</Order>
                  <Surname>Fosterley</Surname>
                  <Forename>Gwendolyn</Forename>
                  <Relationship>STM</Relationship>
                  <Responsibility>false</Responsibility>
                </Contact>
              </Contacts>
            </Pupil>
          </CTFpupilData>
        </CTfile>
        """#

    /// CTF 24 (`Gender`), partial, every element under a namespace prefix.
    static let ctf24PrefixedPartial = #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <ctf:CTfile xmlns:ctf="http://www.example.org/ctf-2010">
          <ctf:Header>
            <ctf:DocumentName>Common Transfer File</ctf:DocumentName>
            <ctf:CTFversion>24.0</ctf:CTFversion>
            <ctf:DateTime>2024-07-19T16:05:09</ctf:DateTime>
            <ctf:DocumentQualifier>partial</ctf:DocumentQualifier>
            <ctf:SourceSchool>
              <ctf:LEA>838</ctf:LEA>
              <ctf:Estab>3301</ctf:Estab>
              <ctf:SchoolName>Heathbrook Infant School</ctf:SchoolName>
            </ctf:SourceSchool>
          </ctf:Header>
          <ctf:CTFpupilData>
            <ctf:Pupil>
              <ctf:UPN>N838100122005</ctf:UPN>
              <ctf:Surname>Marchbank</ctf:Surname>
              <ctf:Forename>Isadora</ctf:Forename>
              <ctf:DOB>2018-02-28</ctf:DOB>
              <ctf:Gender>F</ctf:Gender>
              <ctf:BasicDetails>
                <ctf:NCyearActual>2</ctf:NCyearActual>
              </ctf:BasicDetails>
              <ctf:Contacts>
                <ctf:Contact>
                  <ctf:Order>1</ctf:Order>
                  <ctf:Surname>Marchbank</ctf:Surname>
                  <ctf:Forename>Leopold</ctf:Forename>
                  <ctf:Relationship>STF</ctf:Relationship>
                  <ctf:Responsibility>true</ctf:Responsibility>
                </ctf:Contact>
              </ctf:Contacts>
            </ctf:Pupil>
            <ctf:Pupil>
              <ctf:UPN>T942100123006</ctf:UPN>
              <ctf:Surname>Penhallow</ctf:Surname>
              <ctf:Forename>Caspian</ctf:Forename>
              <ctf:DOB>2017-09-09</ctf:DOB>
              <ctf:Gender>M</ctf:Gender>
              <ctf:BasicDetails>
                <ctf:NCyearActual>3</ctf:NCyearActual>
              </ctf:BasicDetails>
            </ctf:Pupil>
          </ctf:CTFpupilData>
        </ctf:CTfile>
        """#

    /// CTF 25 with a default namespace on the root, keyed by LA and establishment only.
    static let ctf25DefaultNamespace = #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <CTfile xmlns="http://www.example.org/ctf" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
          <Header>
            <CTFversion>25.0</CTFversion>
            <DateTime>2025-01-06T08:00:00</DateTime>
            <DocumentQualifier>Partial</DocumentQualifier>
            <SourceSchool>
              <LEA>201</LEA>
              <Estab>3614</Estab>
              <SchoolName>Guildhall Lane School</SchoolName>
            </SourceSchool>
          </Header>
          <CTFpupilData>
            <Pupil>
              <UPN>P207000016049</UPN>
              <Surname>Greywether</Surname>
              <Forename>Anselm</Forename>
              <DOB>2014-04-01</DOB>
              <Sex>M</Sex>
              <BasicDetails>
                <NCyearActual>6</NCyearActual>
              </BasicDetails>
            </Pupil>
          </CTFpupilData>
        </CTfile>
        """#

    /// A CTF 23 file: read, with a version warning.
    static let ctf23 = #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <CTfile>
          <Header>
            <CTFversion>23.0</CTFversion>
            <DateTime>2023-03-03T09:09:09</DateTime>
            <DocumentQualifier>full</DocumentQualifier>
            <SourceSchool>
              <URN>100001</URN>
            </SourceSchool>
          </Header>
          <CTFpupilData>
            <Pupil>
              <UPN>B801200005001</UPN>
              <Surname>Oldversion</Surname>
              <Forename>Perpetua</Forename>
              <DOB>2015-05-15</DOB>
              <Gender>F</Gender>
            </Pupil>
          </CTFpupilData>
        </CTfile>
        """#

    /// Not well-formed: the end tag on line 12 does not match its start tag.
    static let malformed = #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <CTfile>
          <Header>
            <CTFversion>25.0</CTFversion>
            <DateTime>2025-09-15T10:30:00</DateTime>
            <DocumentQualifier>full</DocumentQualifier>
            <SourceSchool><URN>118377</URN></SourceSchool>
          </Header>
          <CTFpupilData>
            <Pupil>
              <UPN>W886207424001</UPN>
              <Surname>Brokenend</Surnam>
              <Forename>Ignatius</Forename>
            </Pupil>
          </CTFpupilData>
        </CTfile>
        """#

    /// Well-formed XML whose root is not `CTfile`.
    static let notACTF = #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <Roster><Pupil><UPN>W886207424001</UPN><Surname>Elsewhere</Surname></Pupil></Roster>
        """#

    /// A CTF with a document type declaration (and an entity it declares).
    static let withDoctype = #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE CTfile [ <!ENTITY who "Entityname"> ]>
        <CTfile><Header><DateTime>2025-09-15T10:30:00</DateTime><SourceSchool><URN>118377</URN></SourceSchool></Header>
        <CTFpupilData><Pupil><UPN>W886207424001</UPN><Surname>&who;</Surname><Forename>Amberly</Forename></Pupil></CTFpupilData></CTfile>
        """#

    /// Every name, UPN, date, email and phone number in the fixtures: none may appear in any
    /// problem's description.
    static let personalValues: [String] = [
        "Quillfeather", "Amberly", "Amby", "Rosalind", "Barnaby", "Tobiah", "Brannagh", "Renée", "Vale", "Morwenna",
        "Trevelyan", "Cadoc", "Wrongletter", "Percival", "Unknownla", "Delphine", "Temporaria", "Jasper", "Fifteenyear",
        "Octavia", "Leapless", "Horatio", "Nameless", "Nurseryone", "Ottilie", "Wilhelmina", "Ashgrove", "Evander",
        "Fosterley", "Cosmo", "Hearthwood", "Ysolde", "Caseworth", "Thaddeus", "Gwendolyn", "Marchbank", "Isadora",
        "Leopold", "Penhallow", "Caspian", "Greywether", "Anselm", "Oldversion", "Perpetua", "Brokenend", "Ignatius",
        "Elsewhere", "Entityname", "Larkspur", "Fixtureton", "ZZ9 9ZZ",
        "W886207424001", "K886207424002", "Z886207424003", "A886207424004", "C500123424011", "V88620742401A",
        "R886207424006", "F886207424007", "V886207424008", "J886207424009", "V886207424010", "N838100122005",
        "T942100123006", "P207000016049", "B801200005001", "886207424",
        "2019-03-14", "2021-07-02", "2020-11-30", "2018-05-05", "2006-01-20", "2012-08-08", "2005-04-04", "2019-02-30",
        "2017-12-12", "2022-06-16", "2013-10-01", "2018-02-28", "2017-09-09", "2014-04-01", "2015-05-15", "2024-09-04",
        "example.org", "07700", "01632", "ZZQ",
    ]

    /// The 1-based line of the first line of `xml` containing `marker`.
    static func line(of marker: String, in xml: String) -> Int {
        let lines = xml.split(separator: "\n", omittingEmptySubsequences: false)
        guard let index = lines.firstIndex(where: { $0.contains(marker) }) else { return -1 }
        return index + 1
    }
}
