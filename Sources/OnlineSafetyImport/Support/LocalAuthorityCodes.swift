/// The three-digit local authority codes the DfE uses in DfE numbers and UPNs, as data.
///
/// Sources: the DfE's list of LA codes after the 2009 reorganisation, with the changes since:
/// 838 and 839 (Dorset; Bournemouth, Christchurch and Poole) from April 2019, 940 and 941
/// (North and West Northamptonshire) from April 2021, 942 and 943 (Cumberland; Westmorland and
/// Furness) from April 2023.
enum LocalAuthorityCodes {
    /// One authority: its code and name.
    struct Entry: Sendable {
        let code: String
        let name: String
        init(_ code: String, _ name: String) {
            self.code = code
            self.name = name
        }
    }

    /// English authorities that currently maintain schools.
    static let england: [Entry] = [
        Entry("201", "City of London"), Entry("202", "Camden"), Entry("203", "Greenwich"), Entry("204", "Hackney"),
        Entry("205", "Hammersmith and Fulham"), Entry("206", "Islington"), Entry("207", "Kensington and Chelsea"),
        Entry("208", "Lambeth"), Entry("209", "Lewisham"), Entry("210", "Southwark"), Entry("211", "Tower Hamlets"),
        Entry("212", "Wandsworth"), Entry("213", "Westminster"),
        Entry("301", "Barking and Dagenham"), Entry("302", "Barnet"), Entry("303", "Bexley"), Entry("304", "Brent"),
        Entry("305", "Bromley"), Entry("306", "Croydon"), Entry("307", "Ealing"), Entry("308", "Enfield"),
        Entry("309", "Haringey"), Entry("310", "Harrow"), Entry("311", "Havering"), Entry("312", "Hillingdon"),
        Entry("313", "Hounslow"), Entry("314", "Kingston upon Thames"), Entry("315", "Merton"), Entry("316", "Newham"),
        Entry("317", "Redbridge"), Entry("318", "Richmond upon Thames"), Entry("319", "Sutton"),
        Entry("320", "Waltham Forest"),
        Entry("330", "Birmingham"), Entry("331", "Coventry"), Entry("332", "Dudley"), Entry("333", "Sandwell"),
        Entry("334", "Solihull"), Entry("335", "Walsall"), Entry("336", "Wolverhampton"),
        Entry("340", "Knowsley"), Entry("341", "Liverpool"), Entry("342", "St Helens"), Entry("343", "Sefton"),
        Entry("344", "Wirral"),
        Entry("350", "Bolton"), Entry("351", "Bury"), Entry("352", "Manchester"), Entry("353", "Oldham"),
        Entry("354", "Rochdale"), Entry("355", "Salford"), Entry("356", "Stockport"), Entry("357", "Tameside"),
        Entry("358", "Trafford"), Entry("359", "Wigan"),
        Entry("370", "Barnsley"), Entry("371", "Doncaster"), Entry("372", "Rotherham"), Entry("373", "Sheffield"),
        Entry("380", "Bradford"), Entry("381", "Calderdale"), Entry("382", "Kirklees"), Entry("383", "Leeds"),
        Entry("384", "Wakefield"),
        Entry("390", "Gateshead"), Entry("391", "Newcastle upon Tyne"), Entry("392", "North Tyneside"),
        Entry("393", "South Tyneside"), Entry("394", "Sunderland"),
        Entry("420", "Isles of Scilly"),
        Entry("800", "Bath and North East Somerset"), Entry("801", "Bristol"), Entry("802", "North Somerset"),
        Entry("803", "South Gloucestershire"),
        Entry("805", "Hartlepool"), Entry("806", "Middlesbrough"), Entry("807", "Redcar and Cleveland"),
        Entry("808", "Stockton-on-Tees"),
        Entry("810", "Kingston upon Hull"), Entry("811", "East Riding of Yorkshire"),
        Entry("812", "North East Lincolnshire"), Entry("813", "North Lincolnshire"), Entry("815", "North Yorkshire"),
        Entry("816", "York"),
        Entry("821", "Luton"), Entry("822", "Bedford"), Entry("823", "Central Bedfordshire"),
        Entry("825", "Buckinghamshire"), Entry("826", "Milton Keynes"),
        Entry("830", "Derbyshire"), Entry("831", "Derby"),
        Entry("838", "Dorset"), Entry("839", "Bournemouth, Christchurch and Poole"),
        Entry("840", "Durham"), Entry("841", "Darlington"),
        Entry("845", "East Sussex"), Entry("846", "Brighton and Hove"),
        Entry("850", "Hampshire"), Entry("851", "Portsmouth"), Entry("852", "Southampton"),
        Entry("855", "Leicestershire"), Entry("856", "Leicester"), Entry("857", "Rutland"),
        Entry("860", "Staffordshire"), Entry("861", "Stoke-on-Trent"),
        Entry("865", "Wiltshire"), Entry("866", "Swindon"), Entry("867", "Bracknell Forest"),
        Entry("868", "Windsor and Maidenhead"), Entry("869", "West Berkshire"), Entry("870", "Reading"),
        Entry("871", "Slough"), Entry("872", "Wokingham"),
        Entry("873", "Cambridgeshire"), Entry("874", "Peterborough"),
        Entry("876", "Halton"), Entry("877", "Warrington"),
        Entry("878", "Devon"), Entry("879", "Plymouth"), Entry("880", "Torbay"),
        Entry("881", "Essex"), Entry("882", "Southend-on-Sea"), Entry("883", "Thurrock"),
        Entry("884", "Herefordshire"), Entry("885", "Worcestershire"),
        Entry("886", "Kent"), Entry("887", "Medway"),
        Entry("888", "Lancashire"), Entry("889", "Blackburn with Darwen"), Entry("890", "Blackpool"),
        Entry("891", "Nottinghamshire"), Entry("892", "Nottingham"),
        Entry("893", "Shropshire"), Entry("894", "Telford and Wrekin"),
        Entry("895", "Cheshire East"), Entry("896", "Cheshire West and Chester"),
        Entry("908", "Cornwall"), Entry("916", "Gloucestershire"), Entry("919", "Hertfordshire"),
        Entry("921", "Isle of Wight"), Entry("925", "Lincolnshire"), Entry("926", "Norfolk"),
        Entry("929", "Northumberland"), Entry("931", "Oxfordshire"), Entry("933", "Somerset"),
        Entry("935", "Suffolk"), Entry("936", "Surrey"), Entry("937", "Warwickshire"), Entry("938", "West Sussex"),
        Entry("940", "North Northamptonshire"), Entry("941", "West Northamptonshire"),
        Entry("942", "Cumberland"), Entry("943", "Westmorland and Furness"),
    ]

    /// English authorities abolished since UPNs were introduced (1999): UPNs issued there still
    /// carry their codes.
    static let formerEngland: [Entry] = [
        Entry("820", "Bedfordshire (to 2009)"), Entry("875", "Cheshire (to 2009)"),
        Entry("835", "Dorset (to 2019)"), Entry("836", "Poole (to 2019)"), Entry("837", "Bournemouth (to 2019)"),
        Entry("928", "Northamptonshire (to 2021)"), Entry("909", "Cumbria (to 2023)"),
    ]

    /// Welsh authorities (Wales allocates UPNs of the same form).
    static let wales: [Entry] = [
        Entry("660", "Isle of Anglesey"), Entry("661", "Gwynedd"), Entry("662", "Conwy"), Entry("663", "Denbighshire"),
        Entry("664", "Flintshire"), Entry("665", "Wrexham"), Entry("666", "Powys"), Entry("667", "Ceredigion"),
        Entry("668", "Pembrokeshire"), Entry("669", "Carmarthenshire"), Entry("670", "Swansea"),
        Entry("671", "Neath Port Talbot"), Entry("672", "Bridgend"), Entry("673", "Vale of Glamorgan"),
        Entry("674", "Rhondda Cynon Taf"), Entry("675", "Merthyr Tydfil"), Entry("676", "Caerphilly"),
        Entry("677", "Blaenau Gwent"), Entry("678", "Torfaen"), Entry("679", "Monmouthshire"), Entry("680", "Newport"),
        Entry("681", "Cardiff"),
    ]

    /// Pseudo-LA codes: numbers the DfE allocates to establishments outside any English LA's
    /// maintained schools (service children's schools overseas and similar), so that they can
    /// issue UPNs and DfE numbers.
    static let pseudo: [Entry] = [
        Entry("001", "pseudo-LA"), Entry("002", "pseudo-LA"), Entry("003", "pseudo-LA"),
        Entry("702", "pseudo-LA (service children's education)"), Entry("703", "pseudo-LA"), Entry("704", "pseudo-LA"),
        Entry("708", "pseudo-LA"), Entry("998", "pseudo-LA"),
    ]
}
