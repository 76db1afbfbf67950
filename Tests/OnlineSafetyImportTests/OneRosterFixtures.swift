import Foundation

/// A synthetic OneRoster 1.1 set with the quirks real sets have. Every name, id and date in it is
/// made up.
enum OneRosterFixtures {
    static let manifest = """
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
        source.systemName,Synthetic
        """

    /// A trust (district), three schools: URN, DfE number with a parent not in the file, and an
    /// identifier that is neither.
    static let orgs = """
        sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId
        org-trust,active,2024-09-01,Fenwick Learning Trust,district,,
        org-a,active,2024-09-02T08:00:00.000Z,Ashdown Primary,school,118377,org-trust
        org-b,,,Birchfield Academy,SCHOOL,8862074,org-not-in-file
        org-c,active,2024-09-01,Corbel School,school,NOT-A-NUMBER,org-trust

        """

    /// Columns out of order, an extension column, a quoted field spanning two lines (line 3
    /// and 4), CRLF endings once `crlf` is applied, and no final line break.
    static let users = """
        role,sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,metadata.house
        student,stu-1,active,2024-09-03T10:11:12.000Z,TRUE,org-a,jq,,Jessamy,Quenby,,B801200005001,,,,"par-1,par-2",04,,Kestrel
        Student,{LDAP:12},,,true,"org-a,org-b",lt,"{LDAP:12},{UPN:R674123101121}",Lorcan,Tillotson,"Anne
        Marie",lt.ident,,,,,KG,,
        student,stu-3,inactive,2024-09-01,false,org-b,pn,,Perdita,Nightingale,,,,,,,PK,,
        STUDENT,stu-4,tobedeleted,2024-09-05T07:00:00Z,TRUE,org-a,ow,,Oswin,Wetherby,,,,,,,10,,
        student,stu-bad,active,2024-09-01,TRUE,org-a,xb,,Xanthe,Brightwell,,A801200005001,,,,,04,,
        student,stu-grade,active,2024-09-01,TRUE,org-a,yg,,Ysella,Gorringe,,,,,,,UG,,
        teacher,tch-1,Active,2024-09-01,FALSE,org-a,tf,,Thaddeus,Fairbrother,,tf,t.fairbrother@ashdown.example,,,,,,
        teacher,tch-2,active,2024-09-01,TRUE,org-a,tn,,Tamsin,Noakes,,tn,,,,,,,
        administrator,adm-1,,2024-09-01,TRUE,org-c,ac,,Ambrose,Culpeper,,ac,a.culpeper@corbel.example,,,,,,
        parent,par-1,active,2024-09-01,TRUE,org-a,mq,,Marguerite,Quenby,,,m.quenby@mail.example,07700900001,,stu-1,,,
        guardian,par-2,active,2024-09-01,TRUE,org-a,dq,,Desmond,Quenby,,,,,07700900002,,,,
        relative,rel-1,active,2024-09-01,TRUE,org-a,ht,,Henrietta,Tillotson,,,,,,{LDAP:12},,,
        """

    static let demographics = """
        sourcedId,status,dateLastModified,birthDate,sex
        stu-1,active,2024-09-01,2015-03-14,female
        {LDAP:12},,,2019-11-30T00:00:00Z,male
        stu-3,,,2016-02-30,female

        """

    static let classes = """
        sourcedId,status,dateLastModified,title,classType,schoolSourcedId,grades
        cls-home,active,2024-09-01,4M,HomeRoom,org-a,04
        cls-art,,2024-09-01,Art 4,scheduled,org-a,"04,05"
        cls-old,tobedeleted,2024-09-01,Old Class,homeroom,org-a,

        """

    static let enrollments = """
        sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary
        e1,active,2024-09-01,cls-home,org-a,stu-1,student,true
        e2,,,cls-art,org-a,stu-1,STUDENT,false
        e3,active,,cls-home,org-a,tch-1,teacher,true
        e4,active,,cls-art,org-a,tch-1,student,false
        e5,tobedeleted,,cls-art,org-a,{LDAP:12},student,false
        e6,active,,cls-old,org-a,{LDAP:12},student,false
        e7,active,,cls-home,org-a,{LDAP:12},student,false
        """

    /// Line endings made CRLF.
    static func crlf(_ text: String) -> String { text.replacingOccurrences(of: "\n", with: "\r\n") }

    /// The whole set, users.csv with CRLF endings and the manifest with a BOM.
    static var files: [String: Data] {
        [
            "manifest.csv": Data("\u{FEFF}\(manifest)".utf8),
            "orgs.csv": Data(orgs.utf8),
            "users.csv": Data(crlf(users).utf8),
            "demographics.csv": Data(demographics.utf8),
            "classes.csv": Data(classes.utf8),
            "enrollments.csv": Data(crlf(enrollments).utf8),
        ]
    }

    /// A delta set without orgs.csv.
    static let deltaManifest = """
        propertyName,value
        manifest.version,1.0
        oneroster.version,1.1
        file.orgs,absent
        file.users,delta
        """

    static let deltaUsers = """
        sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,identifier,email,agentSourcedIds,grades
        stu-9,active,2024-10-01,TRUE,org-a,student,ab,,Araminta,Bexley,P207000016049,,,5

        """

    /// A OneRoster 1.2 users.csv: no role, no orgSourcedIds (they are in roles.csv).
    static let users12 = """
        sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,identifier,email,agentSourcedIds,grades
        stu-9,active,2024-10-01,TRUE,ab,,Araminta,Bexley,P207000016049,,,5

        """

    static let roles12 = """
        sourcedId,status,dateLastModified,userSourcedId,roleType,role,orgSourcedId
        r1,active,2024-10-01,stu-9,primary,student,org-a

        """

    /// Values from the fixtures no problem reason or description may quote.
    static let sensitive = [
        "Jessamy", "Quenby", "Lorcan", "Tillotson", "Perdita", "Nightingale", "Oswin", "Wetherby", "Xanthe", "Brightwell",
        "Ysella", "Gorringe", "Thaddeus", "Fairbrother", "Tamsin", "Noakes", "Ambrose", "Culpeper", "Marguerite",
        "Desmond", "Henrietta", "B801200005001", "R674123101121", "A801200005001", "P207000016049", "2015-03-14",
        "2019-11-30", "2016-02-30", "Araminta", "Bexley", "UG", "07700900001", "quenby@",
    ]
}
