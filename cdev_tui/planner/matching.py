"""Matching requirements to files: which files a requirement names, and the new files it needs.

Files are scored against a requirement's words (file stems, folders, symbols); new modules and their tests
follow the repository's own naming style and test layout.
"""

from __future__ import annotations

import math
import posixpath
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from cdev_tui.planner.repo_index import (
    _JS_EXTS,
    _NOT_CODE,
    _TEST_DIRS,
    RepoFile,
    RepoIndex,
    _language_of,
    is_test_path,
)

_STOPWORDS = frozenset(
    """a an the and or but nor not no so to of in on at by for from with without into onto over under via per as
    is are be been being was were will would should shall can could may might must do does did done has have had
    it its this that these those there here their them they we our us you your he she his her i me my mine
    all any each every some more most less least many much few other another such same own only also just very
    than then too again once when where which who whom whose what why how if else while until about above below
    between through during before after up down out off both either neither
    add adds added adding implement implements implemented implementing create creates created creating build
    builds built building make makes made making support supports supported supporting update updates updated
    updating fix fixes fixed fixing improve improves improved improving refactor refactored ensure ensures allow
    allows allowed handle handles handling use uses used using need needs needed want wants get gets set sets
    new feature features functionality ability option options proper properly correct correctly better
    work works working change changes changed changing move moved rename renamed remove removes removed delete
    deleted write writes show shows display displays expose exposes let lets provide provides provided enable
    enables enabled introduce introduces introduced include includes included keep keeps bug bugs issue issues
    task tasks todo item items thing things stuff way ways case cases etc e g ie eg please also current existing
    simple basic minor major small large first second third one two three""".split()  # noqa: SIM905 (a word list)
)
_CREATE_VERBS = frozenset(
    {"add", "create", "implement", "build", "introduce", "new", "support", "write", "provide"}
)
_PATH_LIKE = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.[A-Za-z]{1,5}|(?:[\w.-]+/)+[\w.-]+)(?![\w/-])")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _tokens(text: str) -> list[str]:
    """Lower-case, stemmed words of an identifier or phrase (camelCase, snake_case and kebab-case split)."""
    out = []
    for chunk in re.findall(r"[A-Za-z][A-Za-z0-9]*", text):
        for part in _CAMEL.findall(chunk):
            if part.isdigit():
                continue
            word = part.lower()
            if len(word) >= 2:
                out.append(_stem(word))
    return out


@dataclass(frozen=True)
class _Pick:
    """What one requirement needs: existing files to modify and new files to create."""

    index: int
    requirement: str
    modify: tuple[str, ...]
    create: tuple[str, ...]

    @property
    def files(self) -> tuple[str, ...]:
        return (*self.modify, *self.create)


@dataclass(frozen=True)
class _TestLayout:
    pattern: str  # file name with ``{}`` for the module name, e.g. ``test_{}.py``
    placement: Literal["beside", "subdir", "root", "mirror"]
    folder: str  # the tests root (root/mirror) or the sub-folder name (subdir)


class _Matcher:
    """Scores the index's files against requirement words and proposes new files in the repository's style."""

    WEIGHTS = (("stem", 3.0), ("dir", 2.0), ("symbol", 1.0))
    MAX_FILES = 6

    def __init__(self, index: RepoIndex) -> None:
        self.index = index
        self.postings: dict[str, dict[str, set[str]]] = {kind: {} for kind, _ in self.WEIGHTS}
        for f in index.files:
            pure = PurePosixPath(f.path)
            stem = pure.name.split(".", 1)[0]
            for token in _tokens(stem):
                self.postings["stem"].setdefault(token, set()).add(f.path)
            for part in pure.parts[:-1]:
                for token in _tokens(part):
                    self.postings["dir"].setdefault(token, set()).add(f.path)
            for symbol in f.symbols:
                for token in _tokens(symbol):
                    self.postings["symbol"].setdefault(token, set()).add(f.path)
        self.vocab = {kind: sorted(post) for kind, post in self.postings.items()}
        self.total = max(1, len(index.files))
        self.layouts: dict[str, _TestLayout] = {}

    def _matches(self, kind: str, word: str) -> list[tuple[str, float]]:
        post, vocab = self.postings[kind], self.vocab[kind]
        result = {word: 1.0} if word in post else {}
        if len(word) >= 4:
            for i in range(bisect_left(vocab, word), len(vocab)):
                if not vocab[i].startswith(word):
                    break
                result.setdefault(vocab[i], 0.6)
            for cut in range(4, len(word)):
                if word[:cut] in post:
                    result.setdefault(word[:cut], 0.6)
        return sorted(result.items())

    def word_scores(self, word: str) -> dict[str, float]:
        """File → how well ``word`` names it (best of stem, folder and symbol matches), IDF-weighted."""
        best: dict[str, float] = {}
        for kind, weight in self.WEIGHTS:
            for token, strength in self._matches(kind, word):
                for path in self.postings[kind][token]:
                    best[path] = max(best.get(path, 0.0), weight * strength)
        if not best:
            return {}
        idf = math.log((self.total + 1) / len(best))
        return {path: score * idf for path, score in best.items()}

    def pick(self, index: int, requirement: str) -> _Pick:
        """The files ``requirement`` should own: existing ones to modify, new ones to create."""
        words: list[str] = []
        original: dict[str, str] = {}  # stemmed word → the word as written (lower case), for new file names
        for chunk in re.findall(r"[A-Za-z][A-Za-z0-9]*", _PATH_LIKE.sub(" ", requirement)):
            for part in _CAMEL.findall(chunk):
                low = part.lower()
                token = _stem(low)
                if len(low) < 2 or low.isdigit() or low in _STOPWORDS or token in _STOPWORDS:
                    continue
                if token not in original:
                    original[token] = low
                    words.append(token)
        explicit_modify, explicit_create = self._explicit_paths(requirement)
        scores: dict[str, float] = {}
        novel: list[str] = []
        for word in words:
            per_file = self.word_scores(word)
            if not per_file:
                novel.append(word)
            for path, score in per_file.items():
                scores[path] = scores.get(path, 0.0) + score
        by_path = self.index.by_path
        for path in scores:
            if path.endswith("/__init__.py") or path == "__init__.py":
                scores[path] *= 0.5  # package glue: owned only when nothing better names the requirement
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
        primary = [(p, s) for p, s in ranked if not by_path[p].is_test] or ranked
        selected: list[str] = []
        if primary:
            best = primary[0][1]
            selected = [p for p, s in primary if s >= max(1.0, 0.5 * best)][: self.MAX_FILES]
        selected = list(dict.fromkeys([*explicit_modify, *selected]))
        for module in list(explicit_create):
            test = None if is_test_path(module) else self._test_for(module)
            if test and test not in by_path:
                explicit_create.append(test)
        create_intent = any(
            (m := re.match(r"\s*([A-Za-z]+)", part)) and m.group(1).lower() in _CREATE_VERBS
            for part in [requirement, *requirement.split(": ")[1:2]]
        )
        creates = list(explicit_create)
        if novel and not explicit_create and (create_intent or not selected):
            module = self._new_module([original[w] for w in novel[:2]], selected)
            if module in by_path:
                selected.append(module)
            else:
                creates.append(module)
                test = self._test_for(module)
                if test and test not in by_path:
                    creates.append(test)
        modify = set(selected)
        for path in list(selected):
            modify.update(self._companion_tests(path))
        creates = [c for c in dict.fromkeys(creates) if c not in modify]
        return _Pick(index, requirement, tuple(sorted(modify)), tuple(sorted(creates)))

    def _explicit_paths(self, requirement: str) -> tuple[list[str], list[str]]:
        modify, create = [], []
        for match in _PATH_LIKE.finditer(requirement):
            path = match.group(1).removeprefix("./").rstrip(".")
            if path in self.index.by_path:
                modify.append(path)
            elif (
                "/" in path and _language_of(path) and not path.startswith(("/", "http")) and ".." not in path
            ):
                create.append(path)
        return modify, create

    def _companion_tests(self, path: str) -> list[str]:
        """Existing tests named after ``path``'s module, the closest ones by folder."""
        source = self.index.by_path.get(path)
        if source is None or source.is_test:
            return []
        pure = PurePosixPath(path)
        subject = pure.name.split(".", 1)[0]
        if subject in ("__init__", "index", "mod", "main"):
            subject = pure.parent.name
        if not subject:
            return []
        candidates = []
        for f in self.index.files:
            if not f.is_test or PurePosixPath(f.path).suffix not in _family(pure.suffix):
                continue
            stem = PurePosixPath(f.path).name.split(".", 1)[0]
            if _test_subject(stem) == subject:
                shared = _shared_prefix(PurePosixPath(f.path).parts, pure.parts)
                candidates.append((shared, f.path))
        if not candidates:
            return []
        top = max(shared for shared, _ in candidates)
        return sorted(p for shared, p in candidates if shared == top)

    # -- new files in the repository's style --

    def _main_source_dir(self) -> str:
        """The deepest folder holding at least half of the repository's (non-test) code files."""
        code = [f for f in self.index.files if f.is_code and not f.is_test]
        if not code:
            return "src"
        folders = Counter()
        for f in code:
            parts = PurePosixPath(f.path).parts[:-1]
            for depth in range(len(parts) + 1):
                folders["/".join(parts[:depth])] += 1
        eligible = [d for d, n in folders.items() if n * 2 >= len(code)]
        return max(eligible, key=lambda d: (d.count("/") + (1 if d else 0), d))

    def _extension_for(self, folder: str, near: Sequence[str]) -> str:
        def dominant(files: Iterable[RepoFile]) -> str | None:
            counts = Counter(PurePosixPath(f.path).suffix for f in files if f.is_code and not f.is_test)
            return min(counts, key=lambda e: (-counts[e], e)) if counts else None

        in_folder = [f for f in self.index.files if posixpath.dirname(f.path) == folder]
        near_files = [self.index.by_path[p] for p in near if p in self.index.by_path]
        return dominant(in_folder) or dominant(near_files) or dominant(self.index.files) or ".py"

    def _style_name(self, words: Sequence[str], folder: str, extension: str) -> str:
        family = _family(extension)
        same = [f.path for f in self.index.files if PurePosixPath(f.path).suffix in family and not f.is_test]
        local = [p for p in same if posixpath.dirname(p) == folder]
        votes = Counter(_naming_style(PurePosixPath(p).name.split(".", 1)[0]) for p in (local or same))
        votes.pop(None, None)
        default = "snake" if extension in (".py", ".rb", ".rs") else "kebab"
        style = min(votes, key=lambda s: (-votes[s], s)) if votes else default
        clean = [re.sub(r"[^a-z0-9]", "", w.lower()) for w in words if re.sub(r"[^a-z0-9]", "", w.lower())]
        clean = clean or ["module"]
        if style == "kebab":
            return "-".join(clean)
        if style == "camel":
            return clean[0] + "".join(w.title() for w in clean[1:])
        if style == "pascal":
            return "".join(w.title() for w in clean)
        return "_".join(clean)

    def _new_module(self, words: Sequence[str], selected: Sequence[str]) -> str:
        by_path = self.index.by_path
        anchors = [p for p in selected if p in by_path and by_path[p].is_code and not by_path[p].is_test]
        folder = posixpath.dirname(anchors[0]) if anchors else self._main_source_dir()
        extension = self._extension_for(folder, anchors)
        name = self._style_name(words, folder, extension) + extension
        return posixpath.join(folder, name) if folder else name

    def _layout(self, extension: str) -> _TestLayout:
        if extension not in self.layouts:
            self.layouts[extension] = _infer_test_layout(self.index, extension)
        return self.layouts[extension]

    def _test_for(self, module: str) -> str | None:
        pure = PurePosixPath(module)
        if _language_of(module) in _NOT_CODE or _language_of(module) is None:
            return None
        layout = self._layout(pure.suffix)
        name = layout.pattern.replace("{}", pure.name.split(".", 1)[0])
        folder = str(pure.parent) if str(pure.parent) != "." else ""
        if layout.placement == "beside":
            target = folder
        elif layout.placement == "subdir":
            target = posixpath.join(folder, layout.folder) if folder else layout.folder
        elif layout.placement == "mirror" and folder:
            target = posixpath.join(layout.folder, PurePosixPath(folder).name)
        else:
            target = layout.folder
        return posixpath.join(target, name) if target else name


def _family(extension: str) -> tuple[str, ...]:
    if extension in _JS_EXTS:
        return _JS_EXTS
    if extension in (".py", ".pyi"):
        return (".py",)
    return (extension,)


def _naming_style(stem: str) -> str | None:
    if "_" in stem.strip("_"):
        return "snake"
    if "-" in stem:
        return "kebab"
    if stem[:1].isupper() and any(c.islower() for c in stem):
        return "pascal"
    if stem[:1].islower() and any(c.isupper() for c in stem):
        return "camel"
    return None


def _test_subject(stem: str) -> str:
    for prefix in ("test_", "Test"):
        if stem.startswith(prefix) and len(stem) > len(prefix):
            return stem[len(prefix) :]
    for suffix in ("_test", "_spec", "Tests", "Test", "Spec"):
        if stem.endswith(suffix) and len(stem) > len(suffix):
            return stem[: -len(suffix)]
    return stem


def _shared_prefix(a: Sequence[str], b: Sequence[str]) -> int:
    n = 0
    for x, y in zip(a[:-1], b[:-1], strict=False):
        if x != y:
            break
        n += 1
    return n


def _infer_test_layout(index: RepoIndex, extension: str) -> _TestLayout:
    """How this repository names and places tests for ``extension`` files (defaults per language)."""
    tests = [f for f in index.files if f.is_test and PurePosixPath(f.path).suffix == extension]
    sources = {}
    for f in index.files:
        if not f.is_test and PurePosixPath(f.path).suffix == extension:
            sources.setdefault(PurePosixPath(f.path).name.split(".", 1)[0], []).append(f.path)
    patterns: Counter[str] = Counter()
    placements: Counter[tuple[str, str]] = Counter()
    for test in tests:
        pure = PurePosixPath(test.path)
        stem = pure.name.split(".", 1)[0]
        rest = pure.name[len(stem) :]
        subject = _test_subject(stem)
        if ".test." in pure.name or ".spec." in pure.name:
            patterns["{}" + rest] += 1
        elif subject != stem:
            patterns[stem.replace(subject, "{}", 1) + rest] += 1
        test_dir = str(pure.parent) if str(pure.parent) != "." else ""
        homes = sources.get(subject, [])
        home = (
            min(homes, key=lambda p: (-_shared_prefix(PurePosixPath(p).parts, pure.parts), p))
            if homes
            else None
        )
        home_dir = posixpath.dirname(home) if home else None
        if home_dir is not None and test_dir == home_dir:
            placements[("beside", "")] += 1
        elif (
            home_dir is not None
            and posixpath.dirname(test_dir) == home_dir
            and pure.parent.name in _TEST_DIRS
        ):
            placements[("subdir", pure.parent.name)] += 1
        elif home_dir and test_dir and pure.parent.name == PurePosixPath(home_dir).name:
            placements[("mirror", posixpath.dirname(test_dir))] += 1
        else:
            top = next((i for i, part in enumerate(pure.parts[:-1]) if part in _TEST_DIRS), None)
            root = "/".join(pure.parts[: top + 1]) if top is not None else test_dir
            placements[("root", root)] += 1
    if extension == ".py":
        default = _TestLayout("test_{}.py", "root", "tests")
    elif extension in _JS_EXTS:
        default = _TestLayout("{}.test" + extension, "beside", "")
    elif extension == ".go":
        default = _TestLayout("{}_test.go", "beside", "")
    else:
        default = _TestLayout("test_{}" + extension, "root", "tests")
    pattern = min(patterns, key=lambda p: (-patterns[p], p)) if patterns else default.pattern
    if not placements:
        return _TestLayout(pattern, default.placement, default.folder)
    placement, folder = min(placements, key=lambda k: (-placements[k], k))
    return _TestLayout(pattern, placement, folder)  # type: ignore[arg-type]
