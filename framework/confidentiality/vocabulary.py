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
