"""The issue spotter: every legal issue a worker's message raises, most urgent first.

Real messages are stories: 「怀孕被辞退了，还欠我两个月工资和加班费」 raises three issues, and a
reply that answers one of them drops the rest. The taxonomy (knowledge/content/issues.yml) ties each
issue to its curated answer and calculator; spotting is by cue patterns written for the topic (the
words workers use, dialect included, with room for words in between), so it is explainable,
testable and does not depend on a story matching one FAQ variant word for word.

Cues are precise but only know the wordings someone foresaw, so a learned model stands beside them:
a multi-label classifier over character n-grams, trained on the curated entries' question variants
(each tied to its issue) and on our training narratives (knowledge/content/narratives.yml, several
issues each, in workers' registers). An issue is raised when a cue matches or the model is confident
(LEARNED_THRESHOLD, chosen by cross-validation on the training narratives, never on the held-out set).

Her situation then picks the rule whose verdict holds for her: a nursing mother's night shifts are
Art. 9, not the 7-months-pregnant rule; a closure ends the contract, it is not a dismissal.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import re
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from answering.facts import THREE_PERIODS, Facts, blanked
from knowledge import regions
from knowledge.content import CONTENT

TAXONOMY = CONTENT / "issues.yml"
NARRATIVES = CONTENT / "narratives.yml"
MAX_ISSUES = 3  # a phone screen per issue; more than three and she reads none of them
LEARNED_THRESHOLD = 0.3  # 5-fold CV on the 705 training narratives: with the cues, recall .80, precision .66
# Family law (divorce, custody, bride price, inheritance) is outside this assistant's field: such a message
# raises a work issue only by a cue, never by the model's guess (我想离婚，在哺乳期，孩子归谁 is not 哺乳期加班).
OUTSIDE_WORK = re.compile(r"离婚|抚养权|抚养费|探视权|彩礼|分财产|财产分割|遗产|继承|赡养")
LEARNED_BESIDE_CUES = 0.4  # beside issues a cue found, a model-only issue must be likelier (same CV)
MAX_SPOT_CHARS = 2000  # the model reads at most this much of a message (the channel caps it anyway)
# A clause that asks something: what she wants answered comes before what her story only mentions.
_CLAUSE = re.compile(r"[^。！!？?\n；;，,]+[。！!？?\n；;，,]*")
_ASKS = re.compile(r"[?？]|吗|嘛|么|呢|怎么|咋|如何|能不能|可不可以|是不是|算不算|该不该|要不要|合不合法|中不中"
                   r"|多少|几[天个年岁次]|多久|多长|哪里|哪儿|去哪|找谁|谁出|谁给|谁管|什么|啥|有没有|行不行|对不对"
                   r"|点算|点办|可唔可以|得唔得")


@dataclass(frozen=True)
class Issue:
    id: str
    label: str
    answer: str  # FAQ id (knowledge/content/faq)
    urgency: int
    cues: tuple[re.Pattern[str], ...]
    all: tuple[re.Pattern[str], ...] = ()
    unless: tuple[re.Pattern[str], ...] = ()
    replaces: tuple[str, ...] = ()
    calculator: str | None = None
    requires: str | None = None
    otherwise: str | None = None
    adds: tuple[tuple[str, str], ...] = ()  # (issue, condition): what her situation makes part of this one
    cue_only: bool = False  # a narrow issue the learned model's guess alone never raises

    @property
    def entry_id(self) -> str:
        return f"faq:{self.answer}"

    def first_match(self, text: str) -> int | None:
        """Where in the text the issue is first raised, or None when it is not."""
        if any(p.search(text) for p in self.unless) or not all(p.search(text) for p in self.all):
            return None
        found = [m.start() for p in self.cues if (m := p.search(text))]
        return min(found) if found else None


def _patterns(raw: list | None) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in raw or [])


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, Issue]:
    """The issues, by id, in file order (which breaks urgency ties)."""
    rows = yaml.safe_load(TAXONOMY.read_text(encoding="utf-8")) or []
    return {row["id"]: Issue(
        id=row["id"], label=row["label"], answer=row["answer"], urgency=int(row.get("urgency", 3)),
        cues=_patterns(row.get("cues")), all=_patterns(row.get("all")), unless=_patterns(row.get("unless")),
        replaces=tuple(row.get("replaces") or ()), calculator=row.get("calculator"),
        requires=row.get("requires"), otherwise=row.get("otherwise"),
        adds=tuple((row.get("adds") or {}).items()), cue_only=bool(row.get("cue_only")),
    ) for row in rows}


# Any word of pregnancy, birth, nursing or a baby, in the words workers use (after normalize).
_THREE_PERIOD_WORDS = re.compile(r"孕|产假|产期|产检|产后|顺产|剖腹产|剖宫产|流产|引产|小产|分娩|哺乳|喂奶|吃奶|母乳"
                                 r"|宝宝|娃|孩子|小孩|月子|生了|生完|三期|肚子|预产|BB|bb|怀")

# How to pursue a claim, not the claim itself: a follow-up naming only these (那去法院申请的话要带什么) is
# about the matter she told just before, and is read with it.
PROCEDURE = frozenset({"evidence", "arbitration_how", "arbitration_cost", "arbitration_deadline",
                       "arbitration_before_court", "award_appeal", "award_enforcement", "arbitration_refused",
                       "labour_inspection", "legal_aid", "union_help", "group_dispute"})

# The employer she left before closed down (之前那家药店倒闭了我才换到这家): not her employer's closure.
_FORMER_EMPLOYER_CLOSED = re.compile(r"(之前|以前|上一家|原来|上家)(那家|的|在的)?[^，。,；;]{0,8}?"
                                     r"(倒闭|破产|注销|关门|解散|黄了|不开了)")
_TENURE_AT_LEAST = {"worked_a_year": 12, "worked_ten_years": 120}
# She asks what to do about what happened to her (not what an employer must do in general): how to keep
# the proof is then part of the answer.
_ASKS_WHAT_TO_DO = re.compile(r"怎么办|咋办|咋整|咋个办|点算|点办|(该|要|能|可以)?(怎么|咋|如何)(做|处理|应对|帮|弄)"
                              r"|能不能告|(能|可以)告|告(他|她|得赢|得了)|讨.{0,2}说法|维权|出这口气"
                              r"|(能|可以)?(帮她|帮我|为她)?做(些|点)?什么|能帮(她|我)?(些|点)?什么")
_ASKS_MONEY = re.compile(r"补偿|赔偿|赔钱|赔多少|多少钱|能拿|拿多少|给多少|补多少|打发|一分钱|遣散|N\+1|2N")
# She asks how to prove it or what to bring: the proof fitted to what she is proving.
_ASKS_FOR_PROOF = re.compile(r"证据|留证|取证|怎么证明|(准备|带|收集|保存|整理)(上|好)?(些|哪些|什么|啥|点|哪样)"
                             r"(材料|资料|东西|证明)?")


def _holds(condition: str, situation: Facts, text: str = "") -> bool | None:
    """Whether a verdict's condition holds for her (her facts, or for the asks_* conditions her words);
    None when they do not tell."""
    if condition == "asks_what_to_do":  # keeping the proof is part of what to do
        return bool(_ASKS_WHAT_TO_DO.search(text) or _ASKS_FOR_PROOF.search(text)) or None
    if condition == "asks_money":  # money named beside the ending she told: what she is owed for it
        return bool(_ASKS_MONEY.search(text)) or None
    if condition == "asks_for_proof":
        return bool(_ASKS_FOR_PROOF.search(text)) or None
    if condition == "is_pregnant":  # her stage told anywhere in the conversation
        return situation.stage == "pregnant" or None
    if condition == "is_nursing":
        return situation.stage == "nursing" or None
    if condition == "is_part_time":  # hourly work she told in this or an earlier turn
        return situation.part_time or None
    if condition == "birth_in_province":  # her province's verified extra leave and her husband's days
        rule = regions.rules().get(situation.province) if situation.province else None
        return (rule is not None and rule.verified and situation.stage != "miscarriage") or None
    if condition == "three_period":
        return situation.stage in THREE_PERIODS or None
    if condition == "outside_three_period":  # a dismissal during them is her own rule (第四十二条, 第八十七条)
        return False if situation.stage in THREE_PERIODS else None
    if condition == "birth":  # maternity leave is for a birth; a miscarriage has its own days
        return False if situation.stage == "miscarriage" else None
    if condition == "pregnant":  # 特别规定 第六条第一款 (a lighter job on a doctor's note) is for pregnancy only
        return False if situation.stage in ("nursing", "maternity_leave", "miscarriage") else None
    if condition == "miscarried":  # 流产假 is for a loss; 先兆流产 or 保胎 is a pregnancy to protect
        return True if situation.stage == "miscarriage" else (False if situation.stage == "pregnant" else None)
    if condition in _TENURE_AT_LEAST:  # 劳动合同法 第十四条: a year without a written contract; ten years' service
        months = situation.tenure_months
        return None if months is None else months >= _TENURE_AT_LEAST[condition]
    if condition == "pregnant_7_months":
        if situation.stage == "nursing":
            return False
        return None if situation.pregnancy_months is None else situation.pregnancy_months >= 7
    raise ValueError(f"unknown condition in issues.yml: {condition}")


def fits(issue: Issue, situation: Facts) -> bool:
    """Whether the issue's verdict can hold for her: false only when her facts say its condition fails
    (the general pay-cut rule for a woman who told she is pregnant)."""
    return not (issue.requires and _holds(issue.requires, situation) is False)


def _fitted(issue: Issue, situation: Facts) -> Issue:
    """The issue whose verdict applies to her situation (the `otherwise` one when hers differs)."""
    if issue.otherwise and not fits(issue, situation):
        return taxonomy()[issue.otherwise]
    return issue


def training_examples() -> tuple[list[str], list[list[str]]]:
    """(message, issue ids) pairs: every FAQ variant of an issue's answer, and the narratives."""
    from knowledge.content import load_faq_raw
    from knowledge.normalize import normalize

    by_answer: dict[str, list[str]] = {}
    for issue in taxonomy().values():
        by_answer.setdefault(issue.answer, []).append(issue.id)
    texts, labels = [], []
    for raw in load_faq_raw():
        for question in raw.get("questions") or []:
            texts.append(normalize(str(question)))
            labels.append(by_answer.get(raw["id"], []))
    for item in yaml.safe_load(NARRATIVES.read_text(encoding="utf-8")) or []:
        text = item.get("text") or (item.get("turns") or [""])[-1]
        texts.append(normalize(text))
        labels.append([i for i in item.get("issues") or [] if i in taxonomy()])
    return texts, labels


def _inputs_hash() -> str:
    """What the learned spotter is trained from: taxonomy, FAQ files, narratives and this code."""
    digest = hashlib.sha256()
    for path in [TAXONOMY, NARRATIVES, Path(__file__), *sorted((CONTENT / "faq").glob("*.yml"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _model():
    """The trained spotter, from the build cache when its inputs have not changed (training takes
    seconds to tens of seconds on a busy machine; every action server process would pay it).

    A missing cache is filled by a child process (`python -m answering.issues --train`): fitting
    makes joblib fix this process's multiprocessing start method to 'fork', after which the
    action server (rasa_sdk asks for 'spawn') refuses to start."""
    path = _cache_path()
    if not path.exists():
        from settings import ROOT

        subprocess.run([sys.executable, "-m", "answering.issues", "--train"], cwd=ROOT,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return _train_and_cache(path)  # the child failed or left a foreign file: train here


def _cache_path() -> Path:
    from settings import get_settings

    return Path(get_settings().BUILD_DIR) / "issues" / f"spotter-{_inputs_hash()}.pkl"


def _train_and_cache(path: Path):
    model = _train()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(pickle.dumps(model))
    os.replace(tmp, path)
    return model


def _train():
    """The learned spotter: TF-IDF over character 1–3-grams, one logistic regression per issue."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.preprocessing import MultiLabelBinarizer

    texts, labels = training_examples()
    binarizer = MultiLabelBinarizer(classes=list(taxonomy()))
    y = binarizer.fit_transform(labels)
    keep = y.sum(axis=0) > 0  # an issue with no example yet is left to its cues
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1)
    x = vectorizer.fit_transform(texts)
    model = OneVsRestClassifier(LogisticRegression(C=8.0, class_weight="balanced", solver="liblinear"))
    model.fit(x, y[:, keep])
    classes = [c for c, k in zip(binarizer.classes_, keep) if k]
    return vectorizer, model, classes


@lru_cache(maxsize=1)
def entry_issues() -> dict[str, str]:
    """Which issue each shipped FAQ entry answers: the issue it is the answer of, or else the issue
    the learned spotter gives most of its question variants. Used to tell a nearer entry that answers
    her issue more specifically from one that answers another issue (whose verdict is not hers)."""
    from knowledge.content import load_faq_raw
    from knowledge.normalize import normalize

    table = {issue.entry_id: issue.id for issue in taxonomy().values()}
    vectorizer, model, classes = _model()
    for raw in load_faq_raw():
        entry_id = f"faq:{raw['id']}"
        questions = [normalize(str(q)) for q in raw.get("questions") or []]
        if entry_id in table or not questions:
            continue
        probs = model.predict_proba(vectorizer.transform(questions))
        votes: dict[str, int] = {}
        for row in probs:
            if row.max() >= LEARNED_THRESHOLD:
                votes[classes[int(row.argmax())]] = votes.get(classes[int(row.argmax())], 0) + 1
        if votes:
            table[entry_id] = max(votes, key=votes.get)
    return table


def compatible(issue: Issue) -> set[str]:
    """Issues whose answers also hold for this one: itself, its situation-fitted variants, and the
    more specific issues that replace it. Not the ones it replaces: a closure is not an expiry."""
    table = taxonomy()
    near = {issue.id, *([issue.otherwise] if issue.otherwise else [])}
    near |= {i.id for i in table.values() if i.otherwise == issue.id or issue.id in i.replaces}
    return near


def warm() -> None:
    """Load (or train and cache) the learned spotter now, not on a worker's first message."""
    _model()
    entry_issues()


def learned(text: str) -> dict[str, float]:
    """The learned model's probability for each issue it is confident about."""
    vectorizer, model, classes = _model()
    probs = model.predict_proba(vectorizer.transform([text]))[0]
    return {c: float(p) for c, p in zip(classes, probs) if p >= LEARNED_THRESHOLD}


def _questions(text: str) -> list[str]:
    """The clauses of a message that ask something."""
    return [clause for clause in _CLAUSE.findall(text) if _ASKS.search(clause)]


def _asked(text: str, candidates: list[Issue]) -> set[str]:
    """The candidates raised in a clause that asks something (her question, not her story's setting)."""
    questions = _questions(text)
    return {i.id for i in candidates if any(i.first_match(q) is not None for q in questions)}


def _asked_alone(text: str, general: Issue, specific: Issue) -> bool:
    """A clause asks the general issue and not the specific one that would answer it in its stead."""
    return any(general.first_match(q) is not None and specific.first_match(q) is None for q in _questions(text))


def _replaced(text: str, found: dict[str, int], guessed: set[str]) -> set[str]:
    """The issues a more specific one found beside them answers in their stead. Only an issue that is
    itself kept replaces: under pressure to resign (which answers her dismissal), the layoff the
    dismissal would have answered still decides her money. And a guess of the learned model never
    displaces what a cue found (试用期六个月合法吗 stays a question about probation)."""
    table = taxonomy()

    def by(replacing) -> set[str]:
        return {r for issue_id in replacing for r in table[issue_id].replaces
                if not (table[r].urgency == 3 and _asked_alone(text, table[r], table[issue_id]))
                and not (issue_id in guessed and r not in guessed)}

    return by(set(found) - by(found))


def _rank(issue: Issue, asked: bool) -> float:
    """Act-now issues first (do not sign, a dismissal under way); then what she asked; then the rest by
    urgency. A reviewer found her question (离职证明, 仲裁收不收费, 哺乳室) answered under sections on
    what her story only mentioned."""
    if issue.urgency == 1:
        return 1.0
    return 1.5 if asked else float(issue.urgency)


def spot(text: str, situation: Facts | None = None, limit: int = MAX_ISSUES, use_model: bool = True) -> list[Issue]:
    """The issues a (normalized) message raises, fitted to her situation, most urgent first.

    `use_model=False` asks the cues alone: whether a short follow-up («双胞胎呢») raises an issue of
    its own must not rest on the model's guess about a few characters.
    An issue that a more specific one replaces is dropped (a closure during nursing is not also
    answered as a dismissal); among equally urgent issues, the one she raised first comes first.
    """
    situation = situation or Facts()
    table = taxonomy()
    text = blanked(_FORMER_EMPLOYER_CLOSED, text)
    found = {issue.id: pos for issue in table.values() if (pos := issue.first_match(text)) is not None}
    # the model alone may guess; beside issues a cue found, it adds only what it is surer of
    floor = LEARNED_BESIDE_CUES if found else LEARNED_THRESHOLD
    use_model = use_model and (bool(found) or not OUTSIDE_WORK.search(text))
    guessed: set[str] = set()  # raised by the learned model alone, or added to what it alone raised
    for issue_id, prob in (learned(text[:MAX_SPOT_CHARS]) if use_model else {}).items():
        if prob >= floor and issue_id not in found and not table[issue_id].cue_only:
            issue = table[issue_id]
            if issue.requires == "three_period" and issue.otherwise and not _THREE_PERIOD_WORDS.search(text) \
                    and situation.stage not in THREE_PERIODS:
                # the model's guess on a message with no word of pregnancy, birth or a baby (乳腺癌 is not
                # 哺乳), from a woman who told no such stage before: the general rule
                issue_id = issue.otherwise
            if issue_id not in found:
                found[issue_id] = len(text) + int((1 - prob) * 100)  # after what a cue placed
                guessed.add(issue_id)
    for issue_id in list(found):  # what her situation makes part of an issue (a year unsigned: open-ended)
        for added, condition in table[issue_id].adds:
            if added not in found and _holds(condition, situation, text):
                found[added] = found[issue_id]
                if issue_id in guessed:
                    guessed.add(added)
    asked = _asked(text, [table[i] for i in found])
    # a specific issue answers the general one in its stead, unless she asks the general question in a
    # clause of its own (试用期怀孕被辞退…这个试用期本身合法吗: the probation's length is hers to know too)
    replaced = _replaced(text, found, guessed)
    order = list(table)
    ranked = sorted((i for i in found if i not in replaced),
                    key=lambda i: (_rank(table[i], i in asked), found[i], order.index(i)))
    kept = [_fitted(table[i], situation) for i in ranked]
    unique: list[Issue] = []
    for issue in kept:
        if issue.id not in {u.id for u in unique}:
            unique.append(issue)
    return unique[:limit] if limit else unique


if __name__ == "__main__":  # `make index` (and a server finding no cache) trains and caches the spotter
    if "--train" in sys.argv or not _cache_path().exists():
        _train_and_cache(_cache_path())
