import Foundation
@_spi(StorageBackend) import OnlineSafetyCore

/// The project's own synthetic export files for Chilton Primary (URN 999001, LA 886, estab 2074),
/// written for the per-format roster checks: every name, id, UPN and date in them is made up.
///
/// Each file describes the fixture's learners (Ava Oakley, Ben Ashworth and Ben's mother Cara)
/// the way the source system would, plus new children, so that the checks can say exactly what
/// an import should create, update, match, skip and reject.
enum RosterFormatFixtures {
    // MARK: UPNs

    /// Ava Oakley, as the fixture stores her.
    static let avaUPN = "B801200005001"
    /// Ben Ashworth, as the fixture stores him.
    static var benUPN: String { Fixture.upn(serial: 2) }
    /// Cleo Marsh-Hale, new in the CTF.
    static var cleoUPN: String { Fixture.upn(serial: 101) }
    /// Dev Marsh-Hale, Cleo's brother, new in the CTF.
    static var devUPN: String { Fixture.upn(serial: 102) }
    /// Eli Brook's UPN with a check letter that does not match the rest of it.
    static var eliBadUPN: String {
        let good = Fixture.upn(serial: 103)
        let wrong: Character = good.first == "A" ? "B" : "A"
        return String(wrong) + good.dropFirst()
    }
    /// Finn Garner, new in the OneRoster set.
    static var finnUPN: String { Fixture.upn(serial: 111) }
    /// Gia Holt, to be deleted in the OneRoster set.
    static var giaUPN: String { Fixture.upn(serial: 112) }
    /// Nell Oakley, new in the Tapestry export.
    static var nellUPN: String { Fixture.upn(serial: 121) }

    /// The 1-based numbers of the lines of `text` that contain `marker` (`text` with LF endings).
    static func lines(of marker: String, in text: String) -> [Int] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .filter { $0.element.contains(marker) }.map { $0.offset + 1 }
    }

    /// The first line of `text` that contains `marker`, or 0.
    static func line(of marker: String, in text: String) -> Int { lines(of: marker, in: text).first ?? 0 }

    /// `text` with CRLF line endings.
    static func crlf(_ text: String) -> String { text.replacingOccurrences(of: "\n", with: "\r\n") }

    // MARK: CTF 25

    /// The CTF file name, as S2S names a CTF from LA 886 estab 2074.
    static let ctfFile = "8862074_CTF_8862074_001.xml"

    /// A CTF 25 from Chilton for its pupils, exported at `dateTime`.
    static func ctf(dateTime: String, qualifier: String = "full", pupils: [String]) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <CTfile>
          <Header>
            <DocumentName>Common Transfer File</DocumentName>
            <CTFversion>25.0</CTFversion>
            <DateTime>\(dateTime)</DateTime>
            <DocumentQualifier>\(qualifier)</DocumentQualifier>
            <SupplierID>Fixture MIS</SupplierID>
            <SourceSchool>
              <LEA>886</LEA>
              <Estab>2074</Estab>
              <URN>999001</URN>
              <SchoolName>Chilton Primary</SchoolName>
              <AcademicYear>2026</AcademicYear>
            </SourceSchool>
            <DestSchool>
              <LEA>886</LEA>
              <Estab>2074</Estab>
            </DestSchool>
          </Header>
          <CTFpupilData>
        \(pupils.joined(separator: "\n"))
          </CTFpupilData>
        </CTfile>
        """
    }

    /// Ava, as stored (year 4, born 2017-03-14), no contacts.
    static let ctfAva = """
            <Pupil>
              <UPN>\(avaUPN)</UPN>
              <Surname>Oakley</Surname>
              <Forename>Ava</Forename>
              <DOB>2017-03-14</DOB>
              <Sex>F</Sex>
              <BasicDetails>
                <NCyearActual>4</NCyearActual>
              </BasicDetails>
            </Pupil>
        """

    /// Ben, as stored (year 5, born 2016-10-02), with his mother Cara (no email or phone).
    static var ctfBen: String {
        """
            <Pupil>
              <UPN>\(benUPN)</UPN>
              <Surname>Ashworth</Surname>
              <Forename>Ben</Forename>
              <DOB>2016-10-02</DOB>
              <Sex>M</Sex>
              <BasicDetails>
                <NCyearActual>5</NCyearActual>
              </BasicDetails>
              <Contacts>
                <Contact>
                  <Order>1</Order>
                  <Title>Mrs</Title>
                  <Surname>Ashworth</Surname>
                  <Forename>Cara</Forename>
                  <Relationship>PAM</Relationship>
                  <Responsibility>true</Responsibility>
                </Contact>
              </Contacts>
            </Pupil>
        """
    }

    /// A child of Zoë (email) and Raj (phone) Marsh-Hale, listed under each of their children.
    static func ctfMarshHale(upn: String, given: String, born: String, year: String) -> String {
        """
            <Pupil>
              <UPN>\(upn)</UPN>
              <Surname>Marsh-Hale</Surname>
              <Forename>\(given)</Forename>
              <DOB>\(born)</DOB>
              <Sex>M</Sex>
              <BasicDetails>
                <NCyearActual>\(year)</NCyearActual>
              </BasicDetails>
              <Contacts>
                <Contact>
                  <Order>1</Order>
                  <Title>Mrs</Title>
                  <Surname>Marsh-Hale</Surname>
                  <Forename>Zoë</Forename>
                  <Relationship>PAM</Relationship>
                  <Responsibility>true</Responsibility>
                  <Email>zoe.marsh-hale@example.org</Email>
                </Contact>
                <Contact>
                  <Order>2</Order>
                  <Title>Mr</Title>
                  <Surname>Marsh-Hale</Surname>
                  <Forename>Raj</Forename>
                  <Relationship>PAF</Relationship>
                  <Responsibility>true</Responsibility>
                  <Phones>
                    <Phone>
                      <TelephoneType>M</TelephoneType>
                      <PhoneNo>07700 900456</PhoneNo>
                    </Phone>
                  </Phones>
                </Contact>
              </Contacts>
            </Pupil>
        """
    }

    static var ctfCleo: String { ctfMarshHale(upn: cleoUPN, given: "Cleo", born: "2019-05-01", year: "2") }
    static var ctfDev: String { ctfMarshHale(upn: devUPN, given: "Dev", born: "2020-06-01", year: "1") }

    /// Eli, whose UPN's check letter is wrong: the reader rejects him with `upn.checkLetter`.
    static var ctfEli: String {
        """
            <Pupil>
              <UPN>\(eliBadUPN)</UPN>
              <Surname>Brook</Surname>
              <Forename>Eli</Forename>
              <DOB>2018-02-02</DOB>
              <Sex>M</Sex>
              <BasicDetails>
                <NCyearActual>3</NCyearActual>
              </BasicDetails>
            </Pupil>
        """
    }

    /// The first full CTF: Ava, Ben and Cara, the Marsh-Hale siblings, and Eli.
    static var ctfFirst: String {
        ctf(dateTime: "2026-11-16T10:30:00", pupils: [ctfAva, ctfBen, ctfCleo, ctfDev, ctfEli])
    }

    /// A later full CTF without Ben.
    static var ctfWithoutBen: String {
        ctf(dateTime: "2026-11-20T08:05:00", pupils: [ctfAva, ctfCleo, ctfDev, ctfEli])
    }

    /// A third full CTF listing Ben again.
    static var ctfBenBack: String {
        ctf(dateTime: "2026-11-23T07:45:00", pupils: [ctfAva, ctfBen, ctfCleo, ctfDev, ctfEli])
    }

    // MARK: OneRoster 1.1

    static let oneRosterName = "chilton-oneroster.zip"

    static let oneRosterManifest = """
        propertyName,value
        manifest.version,1.0
        oneroster.version,1.1
        file.academicSessions,absent
        file.classes,bulk
        file.courses,absent
        file.demographics,bulk
        file.enrollments,bulk
        file.orgs,bulk
        file.users,bulk
        source.systemName,Fixture SIS

        """

    static let oneRosterOrgs = """
        sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId
        org-viking,active,2026-09-01,Viking Academy Trust,district,,
        org-chilton,active,2026-09-01T00:00:00Z,Chilton Primary,school,999001,org-viking

        """

    /// Ava by `identifier`, Ben by a `{UPN:}` user id, Finn with an `{LDAP:12}` sourcedId, Gia to be
    /// deleted, the teacher Nia with an email, Finn's parent Gus (listed by Finn) and guardian Hal
    /// (who lists Finn himself). `TRUE`/`true`, dates with and without a time. Written with CRLF
    /// endings and no final line break.
    static var oneRosterUsers: String {
        """
        sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password
        stu-ava,active,2026-11-01T08:00:00.000Z,TRUE,org-chilton,student,ao,,Ava,Oakley,,\(avaUPN),,,,,04,
        stu-ben,,2026-11-01,true,org-chilton,student,ba,{UPN:\(benUPN)},Ben,Ashworth,,,,,,,05,
        {LDAP:12},active,2026-11-02T09:15:00Z,TRUE,org-chilton,Student,fg,"{LDAP:12},{UPN:\(finnUPN)}",Finn,Garner,,,,,,par-gus,03,
        stu-gia,tobedeleted,2026-11-03,TRUE,org-chilton,STUDENT,gh,,Gia,Holt,,\(giaUPN),,,,,02,
        tch-nia,active,2026-11-01,TRUE,org-chilton,teacher,nn,,Nia,Newton,,nn,nia.newton@chilton.example,,,,,
        par-gus,active,2026-11-01,TRUE,org-chilton,parent,gg,,Gus,Garner,,,gus.garner@example.org,07700900321,,{LDAP:12},,
        {LDAP:40},active,2026-11-01,true,org-chilton,guardian,hg,,Hal,Garner,,,,,07700900322,{LDAP:12},,
        """
    }

    static let oneRosterDemographics = """
        sourcedId,status,dateLastModified,birthDate,sex
        stu-ava,active,2026-11-01,2017-03-14,female
        stu-ben,,,2016-10-02T00:00:00Z,male
        {LDAP:12},active,2026-11-02T09:15:00.000Z,2018-07-09,male
        stu-gia,,,2019-01-01,female

        """

    static let oneRosterClasses = """
        sourcedId,status,dateLastModified,title,classType,schoolSourcedId
        cls-oak,active,2026-09-01,Oak,homeroom,org-chilton
        cls-art,active,2026-09-01,Art,scheduled,org-chilton

        """

    static let oneRosterEnrollments = """
        sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary
        e1,active,2026-09-01,cls-oak,org-chilton,stu-ava,student,false
        e2,active,2026-09-01,cls-oak,org-chilton,tch-nia,teacher,true
        e3,active,2026-09-01,cls-oak,org-chilton,{LDAP:12},student,false
        e4,active,2026-09-01,cls-art,org-chilton,{LDAP:12},student,false
        """

    /// The bulk set: users.csv and enrollments.csv with CRLF endings and no final line break,
    /// the manifest with a byte order mark.
    static var oneRosterBulk: [String: Data] {
        [
            "manifest.csv": Data("\u{FEFF}\(oneRosterManifest)".utf8),
            "orgs.csv": Data(oneRosterOrgs.utf8),
            "users.csv": Data(crlf(oneRosterUsers).utf8),
            "demographics.csv": Data(oneRosterDemographics.utf8),
            "classes.csv": Data(oneRosterClasses.utf8),
            "enrollments.csv": Data(crlf(oneRosterEnrollments).utf8),
        ]
    }

    static let oneRosterDeltaManifest = """
        propertyName,value
        manifest.version,1.0
        oneroster.version,1.1
        file.orgs,bulk
        file.users,delta
        file.demographics,absent
        file.classes,absent
        file.enrollments,absent

        """

    /// A delta that lists no student: a new teacher, and Finn's parent Gus with a new email
    /// address (a change to a parent alone).
    static let oneRosterDeltaUsers = """
        sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,identifier,email,agentSourcedIds,grades
        tch-oli,active,2026-11-22,TRUE,org-chilton,teacher,op,,Oli,Park,op,oli.park@chilton.example,,
        par-gus,active,2026-11-22,TRUE,org-chilton,parent,gg,,Gus,Garner,,gus.g@example.net,{LDAP:12},

        """

    static var oneRosterDelta: [String: Data] {
        [
            "manifest.csv": Data(oneRosterDeltaManifest.utf8),
            "orgs.csv": Data(oneRosterOrgs.utf8),
            "users.csv": Data(crlf(oneRosterDeltaUsers).utf8),
        ]
    }

    // MARK: Bromcom

    static let bromcomStudentsFile = "bromcom-students.csv"
    static let bromcomContactsFile = "bromcom-contacts.csv"

    /// The CTF's children as Bromcom lists them: Cleo moves to Elm; Dev has no data processing
    /// consent (skipped).
    static var bromcomStudents: String {
        """
        Student ID,UPN,Legal First Name,Preferred First Name,Legal Last Name,Date of Birth,Year Group,Reg Group,Data Processing Consent Granted
        S1001,\(avaUPN),Ava,,Oakley,14/03/2017,4,Oak,Yes
        S1002,\(benUPN),Ben,,Ashworth,02/10/2016,5,Ash,Yes
        S1003,\(cleoUPN),Cleo,,Marsh-Hale,01/05/2019,2,Elm,Yes
        S1004,\(devUPN),Dev,,Marsh-Hale,01/06/2020,1,Elm,No
        """
    }

    /// Written with a byte order mark, CRLF endings and no final line break.
    static var bromcomStudentsData: Data { Data(("\u{FEFF}" + crlf(bromcomStudents)).utf8) }

    /// Cleo's mother (matched by name and email), Ben's mother (matched as a contact of the same
    /// learner), and Cleo's aunt, who is neither a parent nor holds responsibility (skipped).
    static let bromcomContacts = """
        Contact ID,Student ID,Title,First Name,Last Name,Relationship,Parental Responsibility,Priority,Email,Mobile
        C2001,S1003,Mrs,Zoë,Marsh-Hale,Mother,Yes,1,zoe.marsh-hale@example.org,
        C2002,S1002,Mrs,Cara,Ashworth,Mother,Yes,1,,
        C2003,S1003,Ms,Ivy,Marsh,Aunt,No,3,,

        """

    static var bromcomContactsData: Data { Data(crlf(bromcomContacts).utf8) }

    // MARK: Tapestry

    static let tapestryChildrenFile = "tapestry-children.csv"
    static let tapestryRelativesFile = "tapestry-relatives.csv"

    /// Ava (matched by UPN), her sister Nell (new), and Otto, who has no UPN and so cannot be
    /// created.
    static var tapestryChildren: String {
        """
        Child ID,First Name,Last Name,Date of Birth,UPN,Year Group,Key Person,Group(s)
        T1,Ava,Oakley,14/03/2017,\(avaUPN),4,Kate Law,Robins; Wrens
        T2,Nell,Oakley,03/04/2022,\(nellUPN),N2,Kate Law,Robins
        T3,Otto,Reyes,05/06/2022,,N2,Tom Teacher,Wrens

        """
    }

    /// Sam, father of both Oakley girls; Pia, Nell's mother; Una with no email (rejected); Vic,
    /// Otto's father (his child is rejected).
    static let tapestryRelatives = """
        Relative ID,First Name,Last Name,Email,Phone number,Children,Relationship,Parental Responsibility
        R1,Sam,Oakley,sam.oakley@example.org,07700900501,T1;T2,Father,Yes
        R2,Pia,Oakley,pia.oakley@example.org,,T2,Mother,Yes
        R3,Una,Oakley,,07700900503,T1,Mother,Yes
        R4,Vic,Reyes,vic.reyes@example.org,,T3,Father,Yes

        """

    // MARK: Awkward text

    /// A name as it should read back, and how a CTF writes it.
    struct AwkwardName {
        let upnSerial: Int
        let given: String
        let family: String
        let givenXML: String
        let familyXML: String
    }

    static let awkwardNames: [AwkwardName] = [
        AwkwardName(upnSerial: 201, given: "Siobhán", family: "O'Neill", givenXML: "Siobh&#225;n", familyXML: "O&apos;Neill"),
        AwkwardName(upnSerial: 202, given: "Anna-Maria", family: "Smith-Jones", givenXML: "Anna-Maria", familyXML: "Smith-Jones"),
        AwkwardName(upnSerial: 203, given: "小龙", family: "李", givenXML: "小龙", familyXML: "李"),
        AwkwardName(upnSerial: 204, given: "Ελένη", family: "Παπαδοπούλου", givenXML: "Ελένη", familyXML: "Παπαδοπούλου"),
        AwkwardName(upnSerial: 205, given: "Łukasz", family: "Wóźniak", givenXML: "Łukasz", familyXML: "Wóźniak"),
        AwkwardName(upnSerial: 206, given: "Mia 🌟", family: "Star", givenXML: "Mia &#x1F31F;", familyXML: "Star"),
        AwkwardName(
            upnSerial: 207, given: "Robert'); DROP TABLE people;--", family: "Tables",
            givenXML: "Robert&apos;); DROP TABLE people;--", familyXML: "<![CDATA[Tables]]>"),
        AwkwardName(upnSerial: 208, given: "Bea", family: "<b>bold</b>", givenXML: "Bea", familyXML: "&lt;b&gt;bold&lt;/b&gt;"),
    ]

    /// The contact of the first awkward pupil, as it should read back.
    static let awkwardContact = (given: "Zoë \"Zee\"", family: "Müller & O'Hara", email: "zoe.o'hara@example.org")

    /// A partial CTF of the awkward names; the first has a contact with quotes and an ampersand.
    static var awkwardCTF: String {
        let pupils = awkwardNames.enumerated().map { index, name in
            let contact =
                index == 0
                ? """

                      <Contacts>
                        <Contact>
                          <Order>1</Order>
                          <Surname>Müller &amp; O'Hara</Surname>
                          <Forename>Zoë &quot;Zee&quot;</Forename>
                          <Relationship>PAM</Relationship>
                          <Responsibility>true</Responsibility>
                          <Email>zoe.o'hara@example.org</Email>
                        </Contact>
                      </Contacts>
                """ : ""
            return """
                    <Pupil>
                      <UPN>\(Fixture.upn(serial: name.upnSerial))</UPN>
                      <Surname>\(name.familyXML)</Surname>
                      <Forename>\(name.givenXML)</Forename>
                      <DOB>2018-09-0\(index + 1)</DOB>
                      <BasicDetails>
                        <NCyearActual>3</NCyearActual>
                      </BasicDetails>\(contact)
                    </Pupil>
                """
        }
        return ctf(dateTime: "2026-11-23T09:00:00", qualifier: "partial", pupils: pupils)
    }

    /// Tapestry children whose names need CSV quoting, as they should read back.
    static let awkwardCSVNames: [(id: String, upnSerial: Int, given: String, family: String)] = [
        ("T9", 209, "Seán", "Ó Briain, \"Jr\""),
        ("T10", 210, "Noor", "d'Arcy—al-Hāshimī"),
    ]

    static var awkwardTapestry: String {
        """
        Child ID,First Name,Last Name,Date of Birth,UPN,Year Group
        T9,Seán,"Ó Briain, \"\"Jr\"\"",01/10/2018,\(Fixture.upn(serial: 209)),3
        T10,Noor,d'Arcy—al-Hāshimī,02/10/2018,\(Fixture.upn(serial: 210)),3

        """
    }
}
