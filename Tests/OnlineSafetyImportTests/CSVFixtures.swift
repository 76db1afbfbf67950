import Foundation

/// Synthetic column-mapped exports. Every name, id and date is made up.
enum CSVFixtures {
    /// A Bromcom-style students report: headers in odd case and spacing, an extension column,
    /// a quoted field spanning lines 8 and 9; written with a BOM, CRLF and no final line break by
    /// ``bromcomStudentsData``.
    static let bromcomStudents = """
        student id,  UPN ,Legal First Name,Preferred First Name,LASTNAME,DOB,Year Group,Reg  Group,House Notes,Data Processing Consent Granted
        S001,B801200005001,Jessamy,Jess,Okonkwo-Reid,14/03/2015,5,5B,,Yes
        S002,,Tobias,,Lindqvist,1/9/2019,R,RW,,Y
        S003,,Cosima,,Harrowgate,02/02/2016,4,4A,,No
        S004,,Barnaby,,Pettigrew,31/02/2015,5,5B,,Yes
        S005,,Clementine,,Ashcombe,13/25/2015,5,5B,,Yes
        S006,,Dorian,,Featherstone,03/03/2016,Z,4A,,Yes
        S007,,Eulalia,,"Marchbanks, Jr",04/04/2016,4,4A,"first
        second",TRUE
        S008,A801200005001,Fitzroy,,Gallagher,05/05/2016,4,4A,,Yes
        """

    static var bromcomStudentsData: Data { Data(("\u{FEFF}" + bromcomStudents.replacingOccurrences(of: "\n", with: "\r\n")).utf8) }

    /// The same students with US-order dates.
    static let usOrderStudents = """
        Student ID,FirstName,LastName,Date of Birth,Data Processing Consent Granted
        U1,Ignatius,Rookwood,03/14/2015,yes
        U2,Jocasta,Pennyworth,14/03/2015,yes

        """

    /// A Bromcom-style contacts report.
    static let bromcomContacts = """
        Contact ID,Student ID,Title,FirstName,LastName,Relationship,Parental Responsibility,Priority,Email,Mobile
        C1,S001,Mrs,Marguerite,Okonkwo-Reid,Mother,Yes,1,m.okonkwo@mail.example,07700900001
        C2,S001,Mr,Desmond,Okonkwo-Reid,Father,No,2,,07700900002
        C3,S001,Ms,Henrietta,Vale,Aunt,N,3,h.vale@mail.example,
        C4,S002,Mx,Rowan,Lindqvist,Foster Carer,TRUE,1,,
        C5,S002,,Imelda,Strand,Neighbour,Yes,,,
        C6,S002,,Ottoline,Fairweather,Grandparent,maybe,,,
        C7,S002,,Peregrine,Lindqvist,step-father,false,0,,
        C8,S002,,Quintessa,Lindqvist,Mother,yes,0,,

        """

    /// Tapestry-style children, groups split on `;`.
    static let tapestryChildren = """
        Child ID,First Name,Last Name,Date of Birth,UPN,Key Person,Group(s)
        T1,Wilhelmina,Achterberg,05/06/2021,,Miss Pardoe,Butterflies; Forest School;;
        T2,Caspian,Ellory,29/02/2020,P207000016049,Mr Quill,Ladybirds
        T3,Perpetua,Nkemelu,30/02/2021,,,

        """

    /// Tapestry-style relatives: one linked to two children, one without an email.
    static let tapestryRelatives = """
        Relative ID,First Name,Last Name,Email,Phone number,Children,Relationship,Parental Responsibility,Collection password
        R1,Augustin,Achterberg,a.achterberg@mail.example,07700900100,T1;T2,Father,Yes,secret1
        R2,Lucinda,Ellory,,07700900101,T2,Mother,Yes,secret2
        R3,Bertram,Ellory,not-an-address,,T2,Step-father,No,
        R4,Ysolde,Nkemelu,y.nkemelu@mail.example,,T3,Social Worker,No,

        """

    /// Headers no preset knows, for `--map`.
    static let customHeaders = """
        Pupil Ref,Given,Last Name,Born
        P1,Saoirse,Underhill,2016-07-08
        P2,Tiberius,Vanstone,2016-13-01

        """

    /// Values no problem reason or description may quote.
    static let sensitive = [
        "Jessamy", "Okonkwo", "Tobias", "Lindqvist", "Cosima", "Barnaby", "Pettigrew", "Clementine", "Dorian", "Eulalia",
        "Marchbanks", "Fitzroy", "Gallagher", "B801200005001", "A801200005001", "P207000016049", "14/03/2015", "31/02/2015",
        "13/25/2015", "30/02/2021", "Marguerite", "Desmond", "Henrietta", "Rowan", "Imelda", "Ottoline", "Peregrine",
        "Quintessa", "Wilhelmina", "Achterberg", "Caspian", "Ellory", "Perpetua", "Nkemelu", "Augustin", "Lucinda",
        "Bertram", "Ysolde", "not-an-address", "Neighbour", "maybe", "Saoirse", "Tiberius", "2016-13-01", "07700900",
        "Ignatius", "Jocasta",
    ]
}
