#!/usr/bin/env python3
"""Writes the real prose the damage evaluation plants damage in: one file per
language, one paragraph per line.

    benches/damage_data.py ROOT OUT_DIR

ROOT holds the extracted Debian packages (`dpkg-deb -x`):

| file        | package        | paths                                        |
|-------------|----------------|----------------------------------------------|
| zh_hans.txt | manpages-zh    | usr/share/man/zh_CN (roff paragraphs)        |
|             | fortunes-zh    | usr/share/games/fortunes/{chinese,tang300,song100} |
| zh_hant.txt | manpages-zh    | usr/share/man/zh_TW                          |
| ja.txt      | manpages-ja    | usr/share/man/ja                             |
| ko.txt      | debian-faq-ko  | usr/share/doc/debian/FAQ/ko/*.html (<p>)     |
| en.txt      | fortunes-min   | usr/share/games/fortunes/{fortunes,literature,riddles} |

Paragraphs of 20 to 600 characters are kept, CJK ones only when most of their
letters are Han, kana or Hangul; each is written once, in source order.
benches/damage_eval.sh fetches the packages and runs this.
"""

import gzip
import html
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cjk_corpus import paragraphs_of  # noqa: E402

ANSI = re.compile(r"\x1b\[[0-9;]*m")
CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def cjk_share(text):
    letters = [c for c in text if c.isalpha()]
    return sum(1 for c in letters if CJK.match(c)) / max(1, len(letters))


def man_paragraphs(folder):
    out = []
    for base, _, files in sorted(os.walk(folder)):
        for name in sorted(files):
            if not name.endswith(".gz"):
                continue
            try:
                with gzip.open(os.path.join(base, name), "rt", encoding="utf-8", errors="strict") as f:
                    out.extend(paragraphs_of(f.read()))
            except (OSError, EOFError, UnicodeDecodeError):
                continue
    return out


def fortunes(path, joiner):
    try:
        with open(path, encoding="utf-8") as f:
            text = ANSI.sub("", f.read())
    except (OSError, UnicodeDecodeError):
        return []
    out = []
    for cookie in text.split("\n%\n"):
        lines = [line.strip() for line in cookie.splitlines() if line.strip()]
        if lines:
            out.append(joiner.join(lines))
    return out


def html_paragraphs(folder):
    out = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".html"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            page = f.read()
        for p in re.findall(r"<p[^>]*>(.*?)</p>", page, re.S):
            out.append(" ".join(html.unescape(re.sub(r"<[^>]+>", "", p)).split()))
    return out


def keep(paragraphs, cjk):
    seen, out = set(), []
    for p in paragraphs:
        p = " ".join(p.split()) if not cjk else p.strip()
        if not 20 <= len(p) <= 600 or p in seen:
            continue
        if cjk and cjk_share(p) < 0.6:
            continue
        seen.add(p)
        out.append(p)
    return out


def main():
    root, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    games = os.path.join(root, "usr/share/games/fortunes")
    sets = {
        "zh_hans.txt": keep(
            man_paragraphs(os.path.join(root, "usr/share/man/zh_CN"))
            + [p for n in ("chinese", "tang300", "song100") for p in fortunes(os.path.join(games, n), "")],
            True,
        ),
        "zh_hant.txt": keep(man_paragraphs(os.path.join(root, "usr/share/man/zh_TW")), True),
        "ja.txt": keep(man_paragraphs(os.path.join(root, "usr/share/man/ja")), True),
        "ko.txt": keep(html_paragraphs(os.path.join(root, "usr/share/doc/debian/FAQ/ko")), True),
        "en.txt": keep(
            [p for n in ("fortunes", "literature", "riddles") for p in fortunes(os.path.join(games, n), " ")],
            False,
        ),
    }
    for name, paragraphs in sets.items():
        path = os.path.join(out_dir, name)
        with open(path + ".partial", "w", encoding="utf-8") as f:
            for p in paragraphs:
                f.write(p.replace("\n", " ") + "\n")
        os.replace(path + ".partial", path)
        print(f"{name}: {len(paragraphs)} paragraphs", file=sys.stderr)


if __name__ == "__main__":
    main()
