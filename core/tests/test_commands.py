from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line
from django.db import connections

from core.models import AdminArea, Organisation, User


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


class TestAddUser:
    def test_creates_a_monitor_with_regions_and_organisation(self, partner: Organisation) -> None:
        output = run(
            "adduser",
            "aminata",
            "--role",
            "monitor",
            "--regions",
            "ML05,ML07",
            "--organisation",
            "AMSS",
            "--password",
            "Smoke-pass-2026",
        )
        user = User.objects.get(username="aminata")
        assert user.role == "monitor"
        assert user.organisation == partner
        assert user.region_pcodes() == {"ML05", "ML07"}
        assert user.check_password("Smoke-pass-2026")
        assert "Created aminata" in output

    def test_organisation_may_be_given_by_name(self, partner: Organisation) -> None:
        run(
            "adduser", "moussa", "--role", "supervisor", "--organisation", partner.name, "--password", "Smoke-pass-2026"
        )
        assert User.objects.get(username="moussa").organisation == partner

    def test_defaults_are_every_region_and_the_lead_organisation(self, lead: Organisation) -> None:
        run("adduser", "fatou", "--role", "viewer", "--password", "Smoke-pass-2026")
        user = User.objects.get(username="fatou")
        assert user.organisation == lead
        assert user.region_pcodes() == frozenset()

    def test_an_existing_name_is_an_error_and_changes_nothing(self, lead: Organisation) -> None:
        run("adduser", "awa", "--role", "monitor", "--regions", "ML07", "--password", "Smoke-pass-2026")
        with pytest.raises(CommandError, match="already exists"):
            run("adduser", "AWA", "--role", "admin", "--password", "Pass-2026-ok")
        user = User.objects.get(username="awa")
        assert (user.role, user.region_pcodes()) == ("monitor", frozenset({"ML07"}))
        assert User.objects.filter(username__iexact="awa").count() == 1

    def test_existing_name_exits_with_status_1(self, lead: Organisation, monkeypatch: pytest.MonkeyPatch) -> None:
        # The command closes database connections when it ends; the test's transaction must survive it.
        monkeypatch.setattr(connections, "close_all", lambda: None)

        run("adduser", "ibrahim", "--role", "monitor", "--password", "Smoke-pass-2026")
        with pytest.raises(SystemExit) as exit_info:
            execute_from_command_line(["manage.py", "adduser", "ibrahim", "--role", "viewer"])
        assert exit_info.value.code == 1
        assert User.objects.get(username="ibrahim").role == "monitor"

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--regions", "ML0701"], "Not a region P-code: ML0701"),
            (["--regions", "XX99"], "Not a region P-code: XX99"),
            (["--organisation", "NOPE"], "Unknown organisation"),
            (["--password", "123"], "too short"),
        ],
    )
    def test_bad_input_is_a_clear_error(self, lead: Organisation, args: list[str], message: str) -> None:
        with pytest.raises(CommandError, match=message):
            run("adduser", "someone", "--role", "monitor", *args)
        assert not User.objects.filter(username="someone").exists()

    def test_an_admin_is_staff_for_the_django_admin(self, lead: Organisation) -> None:
        run("adduser", "boss", "--role", "admin", "--password", "Smoke-pass-2026")
        assert User.objects.get(username="boss").is_staff


class TestImportAdminAreas:
    def write(self, tmp_path: Path, text: str) -> str:
        path = tmp_path / "areas.csv"
        path.write_text(text, encoding="utf-8")
        return str(path)

    def test_adds_and_updates_from_the_long_shape(self, db: None, tmp_path: Path) -> None:
        path = self.write(
            tmp_path,
            "pcode,level,parent_pcode,name\nML07,1,,Gao (région)\nML0704,2,ML07,Almoustarat\n",
        )
        output = run("import_admin_areas", path)
        assert AdminArea.objects.get(pcode="ML07").name == "Gao (région)"
        assert AdminArea.objects.get(pcode="ML0704").parent == AdminArea.objects.get(pcode="ML07")
        assert "1 created, 1 updated" in output

    def test_reads_ocha_wide_columns(self, db: None, tmp_path: Path) -> None:
        path = self.write(
            tmp_path,
            "ADM0_FR,ADM0_PCODE,ADM1_FR,ADM1_PCODE,ADM2_FR,ADM2_PCODE\n"
            "Mali,ML,Ménaka,ML10,Andéramboukane,ML1002\nMali,ML,Ménaka,ML10,Tidermène,ML1004\n"
            "Mali,ML,Taoudénit,ML11,Taoudénit,ML1101\n",
        )
        run("import_admin_areas", path)
        assert AdminArea.objects.get(pcode="ML11").level == 1
        assert AdminArea.objects.get(pcode="ML1101").parent == AdminArea.objects.get(pcode="ML11")
        assert AdminArea.objects.get(pcode="ML1004").name == "Tidermène"

    def test_does_not_delete_what_the_file_leaves_out(self, db: None, tmp_path: Path) -> None:
        before = AdminArea.objects.count()
        output = run("import_admin_areas", self.write(tmp_path, "pcode,level,parent_pcode,name\nML07,1,,Gao\n"))
        assert AdminArea.objects.count() == before
        assert "Not in the file, kept" in output

    def test_prune_keeps_a_region_in_a_users_scope(self, people: SimpleNamespace, tmp_path: Path) -> None:
        # Only Gao (ML07, in the users' scopes) and Kayes are in the file: Kidal's cercles are unused.
        text = "pcode,level,parent_pcode,name\nML01,1,,Kayes\n"
        run("import_admin_areas", self.write(tmp_path, text), "--prune")
        assert not AdminArea.objects.filter(pcode="ML0801").exists()  # unused: deleted
        gao = AdminArea.objects.get(pcode="ML07")  # the users' region: kept, inactive
        assert gao.is_active is False
        assert people.monitor.regions.filter(pcode="ML07").exists()

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("code,title\nML07,Gao\n", "Unrecognised columns"),
            ("pcode,level,parent_pcode,name\nML0799,2,ML99,Nowhere\n", "unknown parent ML99"),
            ("pcode,level,parent_pcode,name\nML0799,4,ML07,Nowhere\n", "Line 2: level must be 1, 2 or 3"),
            ("pcode,level,parent_pcode,name\nML0799,2,,Nowhere\n", "needs a parent"),
            ("pcode,level,parent_pcode,name\nML0799,3,ML07,Nowhere\n", "not one level up"),
        ],
    )
    def test_a_malformed_file_is_a_clear_error_and_imports_nothing(
        self, db: None, tmp_path: Path, text: str, message: str
    ) -> None:
        before = list(AdminArea.objects.values_list("pcode", "name"))
        with pytest.raises(CommandError, match=message):
            run("import_admin_areas", self.write(tmp_path, text))
        assert list(AdminArea.objects.values_list("pcode", "name")) == before

    def test_an_unreadable_file_is_a_clear_error(self, db: None, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="Cannot read"):
            run("import_admin_areas", str(tmp_path / "missing.csv"))
