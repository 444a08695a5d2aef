"""Capitalised words that are not names of the people and places a study must hide.

Used by the suggestions (:mod:`framework.confidentiality.suggest`): countries and their
peoples, the words that end titles of legislation, and the words that name files and
roles rather than people (``interview``, ``transcript``, ``dir`` ...). All lower case.
"""

from __future__ import annotations

COUNTRIES = frozenset("""
afghanistan albania algeria andorra angola argentina armenia australia austria azerbaijan bahamas bahrain
bangladesh barbados belarus belgium belize benin bhutan bolivia bosnia botswana brazil brunei bulgaria burkina
burundi cambodia cameroon canada chad chile china colombia comoros congo croatia cuba cyprus czechia denmark
djibouti dominica ecuador egypt eritrea estonia eswatini ethiopia fiji finland france gabon gambia georgia germany
ghana greece grenada guatemala guinea guyana haiti honduras hungary iceland india indonesia iran iraq ireland
israel italy jamaica japan jordan kazakhstan kenya kiribati kosovo kuwait kyrgyzstan laos latvia lebanon lesotho
liberia libya liechtenstein lithuania luxembourg madagascar malawi malaysia maldives mali malta mauritania
mauritius mexico micronesia moldova monaco mongolia montenegro morocco mozambique myanmar namibia nauru nepal
netherlands nicaragua niger nigeria norway oman pakistan palau palestine panama paraguay peru philippines poland
portugal qatar romania russia rwanda samoa senegal serbia seychelles singapore slovakia slovenia somalia spain
sudan suriname sweden switzerland syria taiwan tajikistan tanzania thailand togo tonga tunisia turkey
turkmenistan tuvalu uganda ukraine uruguay uzbekistan vanuatu vatican venezuela vietnam yemen zambia zimbabwe
england scotland wales britain uk gb usa us eu europe africa asia america antarctica oceania
""".split()) | frozenset({
    "united kingdom", "great britain", "northern ireland", "united states", "united states of america",
    "south africa", "new zealand", "south korea", "north korea", "saudi arabia", "sri lanka", "costa rica",
    "el salvador", "sierra leone", "south sudan", "czech republic", "dominican republic", "ivory coast",
    "united arab emirates", "papua new guinea", "trinidad and tobago", "east timor", "cape verde",
    "north macedonia", "san marino", "european union", "latin america", "north america", "south america",
    "middle east", "hong kong",
})
"""Countries, their common short forms and the continents."""

PEOPLES = frozenset("""
english scottish welsh british irish european american african asian australian canadian chinese indian
pakistani bangladeshi polish romanian bulgarian french german italian spanish portuguese dutch swedish
norwegian danish finnish greek turkish russian ukrainian nigerian ghanaian somali kenyan jamaican caribbean
filipino japanese korean brazilian mexican arab arabic muslim christian jewish hindu sikh buddhist
""".split())
"""Peoples, languages and faiths: capitalised, never a participant's name."""

LEGISLATION = frozenset("act acts bill bills regulations regulation order directive code charter".split())
"""Words that end the title of a law or rule ("Children Act", "Care Act 2014")."""

FILE_WORDS = frozenset("""
int intv ivw interview interviews transcript transcripts tx notes note final draft clean cleaned anon anonymised anonymized
copy version ver rev edit edited part session sessions focus group fg site case cases participant participants
respondent respondents resp audio recording rec txt docx doc pdf memo summary
dir director directors ad adcs dcs hos head service services manager managers mgr team teams lead senior
principal assistant deputy chief officer exec executive ceo coo cfo md gm hr sw swm tm pm
borough county council city met metro lb cc metropolitan unitary district authority authorities trust region regional
north south east west northern southern eastern western central inner outer
""".split())
"""Parts of document and case names that name a file, a role or a kind of place, not a person."""

ROLE_ABBREVIATIONS = frozenset("""
psw asw ssw nqsw nqsws amhp amhps iro iros cpn dsl dso dsp ops asst dep snr coord admin ssm sws hv gp ot
""".split())
"""Abbreviated job titles that appear in file names (``psw_city_05``: a principal social worker)."""

SERVICE_WORDS = frozenset("""
adult adults child children childrens people peoples young older family families social care health mental
work worker workers safeguarding specialist disabled disability fostering adoption agency voluntary organisation
organisations department operations principle quality assurance procedures policy degree leaders leader
practitioner practitioners review tribunal unattributed unspecified large small rural urban joint national local
""".split())
"""Words of the services studied that name a kind of work or body in file names and headings
("Adult Services", "Team Leaders", ``childrens_services``): a run made only of these is no name."""

FILE_WORDS = FILE_WORDS | ROLE_ABBREVIATIONS | SERVICE_WORDS

UK_PLACES = frozenset("""
bedfordshire berkshire buckinghamshire cambridgeshire cheshire cornwall cumbria cumberland derbyshire devon dorset
durham essex gloucestershire hampshire herefordshire hertfordshire huntingdonshire kent lancashire leicestershire
lincolnshire merseyside middlesex norfolk northamptonshire northumberland nottinghamshire oxfordshire rutland
shropshire somerset staffordshire suffolk surrey sussex warwickshire westmorland wiltshire worcestershire yorkshire
anglesey gwynedd conwy denbighshire flintshire wrexham powys ceredigion pembrokeshire carmarthenshire glamorgan
rhondda caerphilly torfaen monmouthshire aberdeenshire angus argyll ayrshire fife lothian lanarkshire moray
perthshire renfrewshire dumfries galloway orkney shetland antrim armagh fermanagh tyrone londonderry
london birmingham manchester liverpool leeds sheffield bristol newcastle nottingham leicester coventry bradford
hull stoke wolverhampton plymouth southampton portsmouth derby luton brighton cardiff swansea newport glasgow
edinburgh aberdeen dundee belfast york oxford cambridge exeter norwich ipswich peterborough milton sunderland
middlesbrough blackpool bolton wigan salford doncaster rotherham barnsley wakefield huddersfield halifax gateshead
croydon barnet brent camden ealing enfield hackney haringey harrow hillingdon hounslow islington kensington
lambeth lewisham merton newham redbridge southwark sutton wandsworth westminster bromley bexley greenwich
havering tower hamlets kingston richmond waltham
""".split()) | frozenset({
    "isle of wight", "greater london", "greater manchester", "west midlands", "tyne and wear", "east sussex",
    "west sussex", "north yorkshire", "south yorkshire", "west yorkshire", "east riding", "county durham",
    "milton keynes", "tower hamlets", "waltham forest", "kingston upon thames", "richmond upon thames",
    "barking and dagenham", "hammersmith and fulham", "kensington and chelsea", "vale of glamorgan",
    "merthyr tydfil", "neath port talbot", "blaenau gwent", "scottish borders", "stoke-on-trent",
})
"""Counties, regions and large towns of the United Kingdom: suggested as places (they can point to an
authority as surely as a name), never taken for people."""

POLICY_TERMS = (
    "Deprivation of Liberty Safeguards", "Deprivation of Liberty", "Fair Access to Care Services",
    "Fair Access to Care", "Fair Access", "Every Child Matters", "Putting People First", "Common Assessment Framework",
    "Integrated Children's System", "Care Programme Approach", "Looked After Children", "Working Together",
    "Quality Protects", "Social Work Task Force", "Task Force", "General Social Care Council", "Care Quality Commission",
    "Children's Workforce Development Council", "Skills for Care", "Department of Health", "Department for Education",
    "Local Government Association", "Serious Case Review", "Personal Education Plan", "Sure Start", "Think Family",
    "Signs of Safety", "Continuing Professional Development", "Newly Qualified Social Worker", "Post Qualifying",
    "Step Up to Social Work", "Valuing People", "Transforming Social Care", "Supporting People", "Direct Payments",
    "Individual Budgets", "Personal Budgets", "National Health Service", "Primary Care Trust",
    "Local Safeguarding Children Board", "Safeguarding Adults Board", "Approved Mental Health Professional",
    "Best Interests Assessor", "Independent Reviewing Officer", "Single Assessment Process",
    "Framework for the Assessment of Children in Need", "Aiming High for Disabled Children", "Aiming High",
    "Ministry of Justice", "Home Office", "Mental Health Review Tribunal", "Mental Health Act", "Children Act",
    "Care Act", "Ofsted", "Social Work Reform Board", "College of Social Work", "Health and Care Professions Council",
    "Social Work England", "Children's Trust", "Youth Offending Team", "Youth Offending Service",
    "Child and Adolescent Mental Health Services", "Multi-Agency Safeguarding Hub", "Team Around the Child",
)
"""National policies, programmes, bodies and roles of UK health and social care: capitalised, named
the same in every study, so never a clue to who took part (``Deprivation of Liberty`` is no person)."""

OPENERS = frozenset("""
anyway actually basically obviously clearly certainly hopefully unfortunately fortunately luckily sadly frankly
honestly personally generally usually normally typically currently recently previously initially eventually
finally firstly secondly thirdly lastly additionally besides furthermore moreover nevertheless nonetheless
otherwise instead meanwhile therefore hence consequently overall absolutely definitely probably possibly
apparently essentially ultimately interestingly surprisingly importantly similarly likewise alternatively
specifically particularly especially mostly mainly partly originally later earlier soon often sometimes always
never occasionally sorry good great fine true look listen um er erm uh hmm ah last next every many several few
none neither whatever whoever whichever unless whereas yesterday today tomorrow tonight
everyone everybody everything someone somebody something anyone anybody anything nobody nothing
including includes except despite regarding concerning following given
tell describe explain imagine say give take talk think go come let thinking looking going coming talking speaking
moving turning starting far much less quite rather
""".split())
"""Words that start sentences and are not names: "Unfortunately Siobhan left" suggests "Siobhan"."""
