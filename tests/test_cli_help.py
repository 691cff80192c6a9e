"""Every `kehu` group lists its commands, module commands show their own options only, every option says
what it does, and `kehu user create --help` names every role (in-process: the parsers, not subprocesses)."""

from __future__ import annotations

import argparse
import subprocess

import pytest
from tests.test_cli import kehu, ok

from kehu import cli
from kehu.core.models import Role


def _undescribed(parser: argparse.ArgumentParser, where: str) -> list[str]:
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                missing += _undescribed(sub, f"{where} {name}")
        elif action.help is None and not isinstance(action, argparse._HelpAction):
            missing.append(f"{where} {'/'.join(action.option_strings) or action.dest}")
    return missing


def test_every_option_of_the_kehu_command_is_described():
    assert _undescribed(cli.build_parser(), "kehu") == []


@pytest.mark.parametrize(("group", "action"), sorted(cli.ALIASES))
def test_every_module_command_is_listed_and_its_options_described(group, action):
    from django.core.management import get_commands, load_command_class

    assert (group, action) in cli.ALIAS_HELP and group in cli.GROUP_HELP
    name = cli.ALIASES[(group, action)]
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("kehu", f"{group} {action}")
    own = [a for a in parser._actions if not cli.DJANGO_BASE_OPTIONS.intersection(a.option_strings)
           and a.help != argparse.SUPPRESS]
    missing = [a.dest for a in own if a.help is None and not isinstance(a, argparse._HelpAction)]
    assert missing == [], f"kehu {group} {action}: options without a description"
    assert command.help


def test_user_create_names_every_role():
    assert set(cli.ROLES) == set(Role.values)


@pytest.mark.parametrize("group", sorted(cli.GROUP_HELP))
def test_every_group_lists_its_commands(tmp_path, group):
    result = ok(kehu(tmp_path, group, "--help"))
    assert result.stdout.startswith(f"usage: kehu {group}")
    for g, action in cli.ALIASES:
        if g == group:
            assert f"    {action}" in result.stdout


def test_module_help_has_no_django_noise(tmp_path):
    result = ok(kehu(tmp_path, "credit", "expire", "--help"))
    assert result.stdout.startswith("usage: kehu credit expire")
    for noise in ("--settings", "--pythonpath", "--traceback", "--no-color", "--skip-checks", "--verbosity"):
        assert noise not in result.stdout
    assert "--today" in result.stdout
    help_text = ok(kehu(tmp_path, "user", "create", "--help")).stdout
    assert all(role in help_text for role in Role.values)


def test_unknown_module_action_is_a_usage_error(tmp_path):
    result: subprocess.CompletedProcess = kehu(tmp_path, "credit", "bogus")
    assert result.returncode == 2 and "expire" in result.stderr
