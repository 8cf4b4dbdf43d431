"""A load keeps the database file exactly as private as it was: its mode and owner."""

from __future__ import annotations

import os
import stat

import pytest

from etl.load import load_file
from store import db
from tests.template_files import PETITION_COLUMNS, petition, write_rows


def a_load(db_path, tmp_path, case_id):
    path = write_rows(
        tmp_path / f"{case_id}.csv", PETITION_COLUMNS, [petition(case_id, "2025-03-05 09:00:00")]
    )
    return load_file(db_path, "petitions", path)


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644])
def test_a_load_keeps_the_database_files_mode(db_path, tmp_path, mode):
    a_load(db_path, tmp_path, "M1")
    db_path.chmod(mode)
    a_load(db_path, tmp_path, "M2")
    assert stat.S_IMODE(os.stat(db_path).st_mode) == mode


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_load_keeps_the_database_files_owner(db_path, tmp_path):
    a_load(db_path, tmp_path, "O1")
    os.chown(db_path, 4321, 4321)
    db_path.chmod(0o600)
    a_load(db_path, tmp_path, "O2")
    info = os.stat(db_path)
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (4321, 4321, 0o600)


def test_the_private_copy_is_never_more_open_than_the_live_file(db_path, tmp_path):
    a_load(db_path, tmp_path, "P1")
    db_path.chmod(0o600)
    temp = db_path.with_name(db_path.name + db.TEMP_SUFFIX)
    with db.write_session(db_path):
        assert stat.S_IMODE(os.stat(temp).st_mode) == 0o600
