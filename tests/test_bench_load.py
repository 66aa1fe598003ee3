"""bench.load's /proc parsers, on sample texts written here (no process is read)."""

from __future__ import annotations

from bench.load_memory import memory_of, parse_kb_fields, parse_smaps_under, private_flatness
from bench.load_report import write_section

STATUS = """Name:\tgunicorn
VmPeak:\t  900000 kB
VmRSS:\t  483328 kB
RssAnon:\t  122880 kB
RssFile:\t  358400 kB
RssShmem:\t    2048 kB
VmSwap:\t       0 kB
"""

ROLLUP = """55cb69961000-7ffcead44000 ---p 00000000 00:00 0                          [rollup]
Rss:              483328 kB
Pss:              180224 kB
Shared_Clean:     348160 kB
Shared_Dirty:       4096 kB
Private_Clean:      8192 kB
Private_Dirty:    122880 kB
Anonymous:        122880 kB
"""

SMAPS = """7f0000000000-7f0010000000 r--s 00000000 fe:00 1001                       /tmp/ix/gen-1/abc.idx
Size:             262144 kB
Rss:              204800 kB
Shared_Clean:     200704 kB
Shared_Dirty:          0 kB
Private_Clean:      4096 kB
Private_Dirty:         0 kB
7f0010000000-7f0020000000 r--s 00000000 fe:00 1002                       /tmp/ix/gen-0/old store.pos (deleted)
Rss:              102400 kB
Shared_Clean:     102400 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
7f0020000000-7f0021000000 r-xp 00000000 fe:00 1003                       /usr/lib/libtantivy.so
Rss:               10240 kB
Shared_Clean:      10240 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
7f0021000000-7f0022000000 rw-p 00000000 00:00 0
Rss:              122880 kB
Shared_Clean:          0 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:    122880 kB
7f0022000000-7f0023000000 r--s 00000000 fe:00 1004                       /tmp/ix-other/seg.idx
Rss:               40960 kB
Shared_Clean:      40960 kB
Shared_Dirty:          0 kB
Private_Clean:         0 kB
Private_Dirty:         0 kB
"""


def test_kb_fields_of_status_and_rollup():
    assert parse_kb_fields(STATUS, ("VmRSS", "RssAnon", "RssFile", "RssShmem")) == {
        "VmRSS": 483328,
        "RssAnon": 122880,
        "RssFile": 358400,
        "RssShmem": 2048,
    }
    assert parse_kb_fields(ROLLUP, ("Pss", "Private_Dirty")) == {"Pss": 180224, "Private_Dirty": 122880}


def test_smaps_sums_only_mappings_under_the_index_folder():
    # Both generations (one deleted, its path with a space) count; the library, the heap and a sibling
    # folder whose name merely starts with the same characters do not.
    assert parse_smaps_under(SMAPS, "/tmp/ix") == {"Rss": 307200, "Shared": 303104, "Private": 4096, "mappings": 2}
    assert parse_smaps_under(SMAPS, "/nowhere")["Rss"] == 0


def test_memory_of_splits_shared_index_pages_from_private_heap():
    mem = memory_of(STATUS, ROLLUP, SMAPS, "/tmp/ix/")
    assert mem == {
        "rss": 472.0,
        "anon": 120.0,
        "file": 350.0,
        "shmem": 2.0,
        "index": 300.0,
        "index_shared": 296.0,
        "shared": 344.0,
        "private": 128.0,
        "pss": 176.0,
        "heap_private": 120.0,
        "heap_shared": 0.0,
    }


def test_private_flatness_compares_ceilings_of_the_two_halves():
    def snap(t, **anon):
        return {"t": t, "workers": {pid.lstrip("p"): {"anon": v} for pid, v in anon.items()}}

    # p1 warms up and is recycled, p3 warms up to the same ceiling: bounded, so flat.
    flat = private_flatness([snap(0, p1=100, p2=110), snap(10, p1=120, p3=90), snap(20, p3=121, p2=118)])
    assert flat["workers_seen"] == 3 and flat["lived_whole_run"] == 1
    assert flat["by_pid"]["3"]["growth"] == 31 and flat["max_growth_mib"] == 31
    assert (flat["ceiling_first_half_mib"], flat["ceiling_second_half_mib"]) == (120, 121)
    assert flat["flat"] is True
    grown = private_flatness([snap(0, p1=100), snap(10, p1=120), snap(20, p1=130)])
    assert grown["flat"] is False and grown["by_pid"]["1"]["peak"] == 130


def test_labelled_blocks_go_after_the_last_load_block(tmp_path):
    md = tmp_path / "RESULTS.md"
    md.write_text("# B\n\n## Load\n\n<!-- load -->\nold\n<!-- /load -->\n\n## Next\n", encoding="utf-8")
    write_section("<!-- load:100k -->\na\n<!-- /load:100k -->", md, label="100k")
    write_section("<!-- load:1m -->\nb\n<!-- /load:1m -->", md, label="1m")
    write_section("<!-- load:100k -->\nc\n<!-- /load:100k -->", md, label="100k")
    assert md.read_text(encoding="utf-8") == (
        "# B\n\n## Load\n\n<!-- load -->\nold\n<!-- /load -->\n\n<!-- load:100k -->\nc\n<!-- /load:100k -->"
        "\n\n<!-- load:1m -->\nb\n<!-- /load:1m -->\n\n## Next\n"
    )
