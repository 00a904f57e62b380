"""Data tables behind the demo dataset (:mod:`ledger.samples.demo`): names, positions, places,
reasons.

Everything here is fiction in the reference case of SPEC §1: *Meridian Networks*, a telecom
equipment vendor from Stuttgart, and six operators it sells to. Nothing in this module is
random; :mod:`ledger.samples.demo` draws from these tables with a seeded ``random.Random``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class AccountSpec:
    """One customer account of the demo and how it behaves."""

    account_id: str
    prefix: str
    """Prefix of the account's stakeholder ids (``nt-jonas-krause``)."""
    name: str
    country: str
    tier: str
    currency: str
    utc_offset: int
    """Hours east of UTC of the customer's office; every local time is written with it."""
    city: str
    manager: str
    """Our account manager: owner of most engagements."""
    team: tuple[str, ...]
    size: int
    """How many stakeholders the account ends up with (10–30)."""
    intensity: float
    """Chance that a working day brings an engagement with this account."""
    names: str
    """Key of :data:`NAMES`."""


ACCOUNTS: tuple[AccountSpec, ...] = (
    AccountSpec("nordlicht-telekom", "nt", "Nordlicht Telekom AG", "DE", "strategic", "EUR", 1,
                "Hamburg", "Laura Brenner", ("Felix Hartmann", "Selin Aydin"), 22, 0.48,
                "de"),
    AccountSpec("aurora-mobile", "am", "Aurora Mobile Oy", "FI", "standard", "EUR", 2,
                "Espoo", "Mikael Lindqvist", ("Anna Korhonen",), 16, 0.30, "fi"),
    AccountSpec("pacific-wave", "pw", "Pacific Wave Telecom Inc.", "US", "standard", "USD", -8,
                "Seattle", "Daniel Okafor", ("Rachel Kim", "Tom Becker"), 18, 0.30, "us"),
    AccountSpec("albion-connect", "ac", "Albion Connect plc", "GB", "standard", "GBP", 0,
                "Reading", "Priya Raman", ("Oliver Grant",), 14, 0.26, "gb"),
    AccountSpec("hikari-networks", "hk", "Hikari Networks K.K.", "JP", "strategic", "JPY", 9,
                "Tokyo", "Kenji Watanabe", ("Yuki Mori", "Laura Brenner"), 20, 0.40, "jp"),
    AccountSpec("jade-river-mobile", "jr", "Jade River Mobile Co., Ltd.", "CN", "standard",
                "CNY", 8, "Chengdu", "Chen Jing", ("Zhou Ming",), 15, 0.30, "cn"),
)
"""The customer accounts; ``jade-river-mobile`` is state-owned (its executives are officials)."""

EXECUTIVES: tuple[str, ...] = (
    "Dr. Henrik Solberg (CEO)",
    "Claudia Reuter (COO)",
    "Marcus Feld (CTO)",
    "Sofia Lindgren (EVP Sales)",
)
"""Our executives, hosts of executive visits, HQ visits and summits."""

COMPLIANCE_APPROVER = "Compliance Office – Maria Vogt"
HQ_OFFSET = 1
"""Hours east of UTC of our headquarters; policy and rates are set there."""

NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "de": (
        ("Jonas", "Katrin", "Stefan", "Birgit", "Matthias", "Sabine", "Thomas", "Anja",
         "Frank", "Julia", "Andreas", "Claudia", "Tobias", "Nadine", "Ralf", "Melanie",
         "Uwe", "Sandra", "Dirk", "Petra", "Florian", "Heike", "Christian", "Miriam"),
        ("Krause", "Hoffmann", "Schäfer", "Wagner", "Becker", "Neumann", "Schröder", "Wolf",
         "Zimmermann", "Braun", "Lange", "Krüger", "Hartwig", "Vogel", "Friedrich", "Keller",
         "Günther", "Lorenz", "Baumann", "Franke", "Albrecht", "Ludwig", "Engel", "Sommer"),
    ),
    "fi": (
        ("Mikko", "Aino", "Juha", "Sanna", "Jari", "Laura", "Timo", "Kaisa", "Ville",
         "Heidi", "Pekka", "Riikka", "Antti", "Elina", "Markku", "Tiina", "Olli", "Johanna"),
        ("Virtanen", "Mäkinen", "Nieminen", "Heikkinen", "Koskinen", "Järvinen", "Lehtonen",
         "Salonen", "Laine", "Hämäläinen", "Rantanen", "Karjalainen", "Tuominen", "Salminen",
         "Kinnunen", "Lindholm", "Heinonen", "Aaltonen"),
    ),
    "us": (
        ("Michael", "Jennifer", "David", "Sarah", "Robert", "Emily", "James", "Ashley",
         "Kevin", "Megan", "Brian", "Lauren", "Carlos", "Maria", "Jason", "Nicole", "Eric",
         "Stephanie", "Marcus", "Angela"),
        ("Rodriguez", "Johnson", "Nguyen", "Patel", "Thompson", "Garcia", "Miller", "Anderson",
         "Whitaker", "Chen", "Sullivan", "Brooks", "Ramirez", "Foster", "Hayes", "Morgan",
         "Coleman", "Jenkins", "Reyes", "Walsh"),
    ),
    "gb": (
        ("Oliver", "Charlotte", "Harry", "Amelia", "George", "Sophie", "James", "Emily",
         "William", "Jessica", "Thomas", "Hannah", "Rajesh", "Fiona", "Callum", "Grace"),
        ("Hughes", "Clarke", "Fletcher", "Pemberton", "Ashworth", "Davies", "Evans", "Turner",
         "Whitfield", "Harrington", "Mitchell", "Sharma", "Campbell", "Baxter", "Holloway",
         "Blackwood"),
    ),
    "jp": (
        ("Hiroshi", "Yuko", "Takeshi", "Naomi", "Kenta", "Aiko", "Satoshi", "Megumi", "Daisuke",
         "Haruka", "Kazuo", "Emi", "Shinji", "Rie", "Tatsuya", "Mariko", "Koji", "Ayumi",
         "Makoto", "Sakura", "Ryo", "Tomoko"),
        ("Tanaka", "Suzuki", "Takahashi", "Ito", "Yamamoto", "Nakamura", "Kobayashi", "Kato",
         "Yoshida", "Yamada", "Sasaki", "Matsumoto", "Inoue", "Kimura", "Hayashi", "Shimizu",
         "Yamaguchi", "Ikeda", "Hashimoto", "Ishikawa", "Ogawa", "Fujita"),
    ),
    "cn": (
        ("Wei", "Fang", "Lei", "Min", "Jun", "Xiaoling", "Hao", "Yan", "Qiang", "Li",
         "Tao", "Hui", "Bo", "Ying", "Gang", "Mei", "Peng"),
        ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu",
         "Sun", "Ma", "Zhu", "Hu", "Guo", "He"),
    ),
}
"""Given names and surnames per locale; Chinese names are written surname first."""

POSITIONS: tuple[tuple[str, str, str, str], ...] = (
    ("approver", "key", "Executive Board", "Chief Executive Officer"),
    ("approver", "key", "Finance", "Chief Financial Officer"),
    ("decision_maker", "key", "Technology", "Chief Technology Officer"),
    ("decision_maker", "key", "Network Planning", "VP Network Planning"),
    ("decision_supporter", "key", "Strategy", "Senior Advisor to the CEO"),
    ("evaluator", "key", "Procurement", "Head of Procurement"),
    ("decision_supporter", "key", "Network Architecture", "Head of Network Architecture"),
    ("evaluator", "key", "Radio Access Engineering", "Director RAN Engineering"),
    ("evaluator", "general", "Procurement", "Category Manager Network Equipment"),
    ("influencer", "general", "Network Operations", "Head of Network Operations"),
    ("evaluator", "general", "Core Network Engineering", "Senior Core Network Engineer"),
    ("influencer", "general", "Legal", "Senior Counsel, Supplier Contracts"),
    ("decision_supporter", "general", "Finance", "Controlling Manager Capex"),
    ("influencer", "general", "Field Services", "Regional Field Operations Manager"),
    ("evaluator", "general", "Quality", "Test and Validation Lead"),
    ("influencer", "general", "IT", "Enterprise Architect"),
    ("influencer", "general", "Transmission Planning", "Senior Transmission Planner"),
    ("decision_supporter", "key", "Regulatory Affairs", "Head of Regulatory Affairs"),
    ("influencer", "general", "Marketing", "Product Marketing Manager"),
    ("evaluator", "general", "Energy Management", "Energy Efficiency Engineer"),
    ("influencer", "general", "Procurement", "Buyer, Passive Infrastructure"),
    ("decision_maker", "key", "Consumer Business", "Managing Director Consumer"),
    ("influencer", "general", "Innovation Lab", "Open RAN Research Engineer"),
    ("influencer", "general", "Security", "Network Security Architect"),
)
"""Positions in filling order: (role, layer, department, title). The first ten cover every
role and both layers, so every account has all of them."""

ATTITUDE_WEIGHTS: dict[int, float] = {-1: 0.10, 0: 0.30, 1: 0.34, 2: 0.18, 3: 0.08}

OPPORTUNITIES: dict[str, tuple[tuple[str, Decimal], ...]] = {
    "nordlicht-telekom": (("5G RAN swap, northern region", Decimal("48000000")),
                          ("Cloud-native core migration", Decimal("21500000")),
                          ("Fiber backhaul frame agreement 2026", Decimal("9800000"))),
    "aurora-mobile": (("Nationwide 5G standalone rollout", Decimal("26000000")),
                      ("Private 5G for ports and mines", Decimal("3400000"))),
    "pacific-wave": (("Rural broadband RAN expansion", Decimal("31000000")),
                     ("Open RAN pilot, Pacific Northwest", Decimal("4200000"))),
    "albion-connect": (("Transport network refresh", Decimal("12500000")),),
    "hikari-networks": (("Energy-saving RAN software", Decimal("1850000000")),
                        ("Microwave backhaul renewal", Decimal("960000000"))),
    "jade-river-mobile": (("Provincial 5G capacity phase 3", Decimal("145000000")),),
}
"""Opportunities per account: name and value in the account's currency."""

RESTAURANTS: dict[str, tuple[str, ...]] = {
    "nordlicht-telekom": ("Restaurant Haerlin, Hamburg", "Die Bank, Hamburg",
                          "Fischereihafen Restaurant, Hamburg"),
    "aurora-mobile": ("Restaurant Olo, Helsinki", "Savoy, Helsinki", "Nokka, Helsinki"),
    "pacific-wave": ("Canlis, Seattle", "The Walrus and the Carpenter, Seattle",
                     "Metropolitan Grill, Seattle"),
    "albion-connect": ("The Waterside Inn, Bray", "Hawksmoor, London", "The Ivy, Reading"),
    "hikari-networks": ("Kyubey Ginza, Tokyo", "Ukai-tei Omotesando, Tokyo",
                        "Nihonryori RyuGin, Tokyo"),
    "jade-river-mobile": ("Yu Zhi Lan, Chengdu", "Shu Feng Ya Yun, Chengdu",
                          "Chen Mapo Tofu, Chengdu"),
}

PRIVATE_ACTIVITIES: tuple[str, ...] = (
    "Round of golf", "Sailing afternoon", "Fly-fishing trip", "Wine tasting", "Skiing day",
)
SPORTS_CULTURE: tuple[str, ...] = (
    "Football match, hospitality box", "Basketball game", "Concert evening",
    "Annual customer party", "Group dinner after site acceptance", "Opera night",
)
BUSINESS_EXCHANGES: tuple[str, ...] = (
    "R&D exchange on Open RAN", "Joint booth at a regional trade fair",
    "Project celebration: 1,000th site on air", "Workshop on energy-saving features",
    "Technical exchange on cloud-native core", "Lab visit: massive MIMO test bed",
)
GIFTS: tuple[str, ...] = (
    "Book on network history", "Company-branded fleece and mug", "Bottle of Riesling",
    "Tea set", "Fountain pen", "Hamper of regional delicacies", "Bluetooth speaker",
)
EXHIBITIONS: tuple[str, ...] = (
    "MWC Barcelona", "Network X, Paris", "Connected Britain, London",
    "Meridian Innovation Days, Stuttgart",
)
SUMMITS: tuple[str, ...] = (
    "Annual executive summit", "Quarterly business review", "Strategy dialogue with the board",
)
PROCESS_INTEGRATIONS: tuple[str, ...] = (
    "Electronic purchase orders flow straight into our fulfilment",
    "Shared spare-parts forecast in the customer's planning system",
    "Joint incident management: tickets exchanged automatically",
)
JOINT_INITIATIVES: tuple[str, ...] = (
    "Joint innovation lab for energy-efficient radio",
    "Joint CSR campaign: connectivity for rural schools",
    "Joint brand campaign for the 5G launch",
)
CULTURE_RECOGNITIONS: tuple[str, ...] = (
    "Mutual management-culture workshop",
    "Customer named us supplier of the year",
    "Joint leadership exchange programme",
)

RAISE_REASONS: tuple[str, ...] = (
    "Opened up about the evaluation criteria after the {kind}",
    "Praised our energy-saving results in the steering meeting",
    "Asked us to pre-brief them before the technical evaluation",
    "Now defends our proposal against the competitor's price offer",
    "Warm follow-up after the {kind}; asked for a reference visit",
    "Shared the internal timeline of the tender with us",
    "Confirmed our solution is their preferred option",
)
DROP_REASONS: tuple[str, ...] = (
    "Complained about the delayed delivery of the last swap batch",
    "Competitor offered a lower price; now hedging between vendors",
    "Escalated a field outage caused by a software defect",
    "Unhappy that our presales team missed a workshop",
    "Budget pressure: questions our premium pricing",
    "Was not invited to the last steering meeting and felt bypassed",
)
ROLE_CHANGE_REASONS: tuple[str, ...] = (
    "Joined the tender evaluation committee",
    "Promoted after the reorganisation of the technology division",
    "Took over the capex budget sign-off",
    "Moved to an advisory role after the merger",
)
VOID_REASONS: tuple[str, ...] = (
    "Duplicate entry: the same visit was recorded twice",
    "Dinner was cancelled at short notice; the booking was refunded",
    "Recorded against the wrong account",
    "Meeting never took place (customer postponed indefinitely)",
)
CORRECTION_REASONS: dict[str, str] = {
    "cost": "Final invoice differs from the estimate that was entered",
    "participants": "A participant was missing from the original entry",
    "location": "Wrong venue entered",
    "kind": "Recorded as a one-off visit, but it is part of the recurring schedule",
    "owner": "Owner changed: the visit was led by a colleague",
}

HANDOVERS: tuple[tuple[int, str, str, tuple[str, ...], str], ...] = (
    (240, "hikari-networks", "Yuki Mori", ("Laura Brenner",),
     "Kenji Watanabe moves to the APAC strategy office; Yuki Mori takes the account over"),
)
"""Day, account, new owner, new members and reason of each change of account team."""

TIER_CHANGES: tuple[tuple[int, str, str, str], ...] = (
    (215, "aurora-mobile", "strategic",
     "Nationwide 5G standalone contract makes them a strategic partner"),
    (310, "hikari-networks", "standard",
     "Capex freeze after the merger; reprioritised in the annual account review"),
    (420, "pacific-wave", "strategic",
     "Board confirmed the rural expansion programme; named a strategic partner"),
)
"""(day, account, new tier, reason)."""

DEPARTURES: tuple[tuple[int, str, int, str], ...] = (
    (280, "aurora-mobile", 2, "Left to become CTO of a Swedish operator"),
    (350, "pacific-wave", 5, "Retired"),
)
"""(day, account, position index, reason): these stakeholders leave the customer."""

REPLACEMENTS: tuple[tuple[int, str, int], ...] = ((300, "aurora-mobile", 2),)
"""(day, account, position index): a successor registered for a departed stakeholder."""

CLOSINGS: tuple[tuple[int, str, int, str], ...] = (
    (330, "nordlicht-telekom", 0, "won"),
    (300, "pacific-wave", 0, "lost"),
)
"""(day, account, opportunity index, outcome)."""

PUBLIC_OFFICIALS: dict[str, tuple[int, ...]] = {
    "jade-river-mobile": (0, 1, 2),
    "hikari-networks": (17,),
}
"""Position indexes held by public officials (state-owned operator; a ministry secondee)."""

KEY_PRICES: dict[str, tuple[int, int, float]] = {
    "office_visit": (20, 55, 0.7), "regular_visit": (15, 40, 0.8), "dinner": (60, 140, 0.0),
    "private_activity": (80, 180, 0.0), "family_banquet": (150, 240, 0.0),
    "home_visit": (40, 80, 0.5), "executive_visit": (50, 150, 0.5),
    "exhibition_invite": (140, 230, 0.0), "hq_visit": (160, 240, 0.0),
}
KEY_SETTINGS: dict[str, tuple[int, int, str]] = {
    "office_visit": (10, 0, "office"), "regular_visit": (14, 0, "office"),
    "dinner": (19, 30, "restaurant"), "private_activity": (13, 0, "private"),
    "family_banquet": (18, 30, "restaurant"), "home_visit": (17, 0, "home"),
    "executive_visit": (11, 0, "office"), "exhibition_invite": (10, 0, "show"),
    "hq_visit": (9, 30, "hq"),
}
"""Key-layer kinds: local hour, minute and the kind of place (see ``Simulation.place``)."""
GENERAL_PRICES: dict[str, tuple[int, int, int, int, float]] = {
    "business_exchange": (2, 5, 25, 80, 0.5), "gift": (1, 2, 25, 95, 0.0),
    "sports_culture": (2, 6, 45, 150, 0.0), "greeting": (1, 3, 0, 0, 1.0),
}
"""General-layer kinds: participants (low, high), euros per person (low, high), chance of
no cost."""
