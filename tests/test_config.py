"""config.toml: the documented defaults, and one exact message per kind of mistake."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT
from watcher.config import ProfileSettings, Settings, load_settings, parse_settings
from watcher.errors import ConfigError

CONFIG = ROOT / "config.toml"
SEED_HEADINGS = ("multi-task", "generation task", "ASR/ST", "NLP", "codec", "benchmark", "other")


def test_project_config_is_exactly_the_defaults_and_the_seed_lists_profile() -> None:
    """config.toml documents every default; its [profile] is this project's list's own (the
    default profile is empty: what `watcher train` learns)."""
    loaded = load_settings(CONFIG)
    defaults = parse_settings("", source=CONFIG)
    assert defaults.profile == ProfileSettings()
    assert loaded.profile.facets and loaded.profile.gate and set(loaded.profile.cues) == set(SEED_HEADINGS)
    unprofiled = dataclasses.replace(loaded, source=None, profile=ProfileSettings())
    assert unprofiled == dataclasses.replace(defaults, source=None)


def test_every_key_of_every_table_is_in_config_toml_with_a_comment() -> None:
    text = CONFIG.read_text()
    lines = text.splitlines()
    for table in dataclasses.fields(Settings):
        if table.name == "source":
            continue
        section = text.split(f"[{table.name}]\n", 1)[1].split("\n[", 1)[0]
        keys = re.findall(r"^(\w+) = ", section, re.M)
        names = dataclasses.fields(getattr(Settings(), table.name))
        subtables = [f.name for f in names if str(f.type).startswith("dict")]
        assert keys == [f.name for f in names if f.name not in subtables]
        assert all(f"\n[{table.name}.{sub}]\n" in text for sub in subtables)
    for i, line in enumerate(lines):
        if re.match(r"^\w+ = ", line):
            j = i - 1
            while j >= 0 and re.match(r"^\w+ = ", lines[j]):
                j -= 1
            assert lines[j].startswith("#"), f"no comment above {line!r}"


def test_relative_paths_resolve_against_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "c.toml"
    path.parent.mkdir()
    path.write_text('[state]\npath = "db/s.sqlite3"\n')
    s = load_settings(path)
    assert s.state.path == path.parent.resolve() / "db/s.sqlite3"
    assert s.classifier.model_dir == path.parent.resolve() / "models"


def test_settings_are_immutable() -> None:
    s = parse_settings("")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.slack.channel = "C1"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[slack]\nchanel = 'C1'\n",
            "unknown key slack.chanel (known keys in [slack]: mode, channel, token_env, webhook_env, base_url, "
            "post_empty, timeout, retries)",
        ),
        (
            "[slak]\n",
            "unknown key slak (known keys in the top level: arxiv, list, classifier, profile, slack, github, "
            "state, schedule, backfill, venues)",
        ),
        ("slack = 3\n", "slack: expected a table [slack], got integer 3"),
        ("[slack]\nchannel = 5\n", "slack.channel: expected a string, got integer 5"),
        ("[slack]\npost_empty = 'yes'\n", "slack.post_empty: expected true or false, got string 'yes'"),
        ("[arxiv]\ncategories = 'cs.CL'\n", "arxiv.categories: expected a list of strings, got string 'cs.CL'"),
        (
            "[arxiv]\ncategories = ['cs.CL', 3]\n",
            "arxiv.categories: expected a list of strings, got array ['cs.CL', 3]",
        ),
        (
            "[arxiv]\ncategories = []\n",
            'arxiv.categories: expected at least one arXiv category such as "cs.CL", got array []',
        ),
        (
            "[arxiv]\ncategories = ['cs CL']\n",
            'arxiv.categories: expected arXiv categories such as "cs.CL" or "eess.AS", got string \'cs CL\'',
        ),
        (
            "[arxiv]\nannounce_types = ['new', 'old']\n",
            "arxiv.announce_types: expected a non-empty list drawn from ['new', 'cross', 'replace', 'replace-cross'], "
            "got array ['new', 'old']",
        ),
        ("[arxiv]\ntimeout = 0\n", "arxiv.timeout: expected a number of seconds > 0, got number 0.0"),
        ("[venues]\nevery_days = 0\n", "venues.every_days: expected a number of days >= 1, got integer 0"),
        ("[venues]\nmax_per_check = 0\n", "venues.max_per_check: expected a number of venues >= 1, got integer 0"),
        ("[venues]\nenabled = 'weekly'\n", "venues.enabled: expected true or false, got string 'weekly'"),
        ("[arxiv]\nretries = 1.5\n", "arxiv.retries: expected an integer, got number 1.5"),
        ("[arxiv]\nrss_url = 'ftp://x'\n", "arxiv.rss_url: expected an http(s) URL, got string 'ftp://x'"),
        (
            "[arxiv]\napi_page_size = 5000\n",
            "arxiv.api_page_size: expected an integer from 1 to 2000, got integer 5000",
        ),
        (
            "[arxiv]\nholidays = ['2027-13-01']\n",
            "arxiv.holidays: expected dates as \"YYYY-MM-DD\" strings, got string '2027-13-01'",
        ),
        (
            "[arxiv]\nholidays = [2027-01-01T10:00:00]\n",
            "arxiv.holidays: expected dates as \"YYYY-MM-DD\" strings, got string '2027-01-01T10:00:00'",
        ),
        ("[list]\nposition = 'middle'\n", 'list.position: expected "top" or "bottom", got string \'middle\''),
        (
            "[classifier]\ntarget_precision = 1.5\n",
            "classifier.target_precision: expected a number between 0 and 1, got number 1.5",
        ),
        ("[slack]\nmode = 'email'\n", 'slack.mode: expected "bot", "webhook" or "off", got string \'email\''),
        (
            "[slack]\nmode = 'bot'\n",
            'slack.channel: required when slack.mode = "bot" (a channel ID such as "C0123456789")',
        ),
        (
            "[slack]\ntoken_env = 'xoxb-123-abc'\n",
            "slack.token_env: expected the name of an environment variable (the secret itself never goes here), "
            "got string 'xoxb-123-abc'",
        ),
        ("[github]\nrepo = 'just-a-name'\n", "github.repo: expected \"owner/name\", got string 'just-a-name'"),
        (
            "[github]\nbase_url = 'api.github.com'\n",
            "github.base_url: expected an http(s) URL, got string 'api.github.com'",
        ),
        ("[schedule]\nmisfire_grace_time = 0\n", "schedule.misfire_grace_time: expected seconds >= 1, got integer 0"),
        ("[backfill]\nmax_days = -1\n", "backfill.max_days: expected an integer >= 0, got integer -1"),
        ("[slack\n", "not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 7)"),
    ],
)
def test_config_errors_name_the_key(toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_settings(toml)
    assert err.value.message == message
    assert err.value.exit_code == 2


def test_holidays_take_toml_dates_or_strings() -> None:
    s = parse_settings("[arxiv]\nholidays = [2027-01-01, '2027-01-18']\n")
    assert s.arxiv.holidays == ("2027-01-01", "2027-01-18")


def test_load_errors_name_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as err:
        load_settings(missing)
    assert err.value.message == f"{missing}: config file not found"
    bad = tmp_path / "bad.toml"
    bad.write_text("[github]\nrepo = 1\n")
    with pytest.raises(ConfigError) as err:
        load_settings(bad)
    assert err.value.message == f"{bad}: github.repo: expected a string, got integer 1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[profile]\nfacets = [["speech", "sp ee*ch**"]]\n', "profile.facets: 'sp ee*ch**' is not a term"),
        ('[profile]\nexclude = ["(regex)"]\n', "profile.exclude: '(regex)' is not a term"),
        ("[profile]\nfacets = [[]]\n", "profile.facets: expected lists of terms, none empty, got array [[]]"),
        (
            '[profile]\ncategories = ["speech audio"]\n',
            'profile.categories: expected arXiv categories such as "eess.AS"',
        ),
        ('[profile.cues]\ncodec = "codec"\n', "profile.cues: expected a table of lists of strings"),
    ],
)
def test_profile_mistakes_name_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_settings(text)
    assert err.value.message.startswith(message)
