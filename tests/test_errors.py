"""The error catalogue, classification, operator problems and the generated docs (no database)."""

from __future__ import annotations

import dataclasses
import errno
import json
import pickle
import re
import socket
from pathlib import Path

import httpx
import psycopg
import pytest
import sqlalchemy.exc
from hypothesis import given
from hypothesis import strategies as st

from c1console import errors
from c1console.errors import (
    CATALOGUE,
    CATEGORIES,
    BadInput,
    BatchError,
    CheckFailed,
    DatabaseUnavailable,
    DataQualityError,
    ErrorCode,
    ExternalError,
    InputDataError,
    JobError,
    LogicError,
    Problem,
    Refused,
    SystemFailure,
    Text,
    classify,
    language,
    lookup,
    render_json,
    render_text,
)
from c1console.errors.docs import COMMAND, render_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs" / "error-codes.md"
CODE = re.compile(r"^C1-(INP|EXT|BAT|DQ|LOG|SYS)-(\d{3})$")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
TEXT_FIELDS = ("title", "user_message", "operator_message", "action")


def all_texts() -> list[tuple[str, Text]]:
    texts = [(f"category {name}", text) for name, text in CATEGORIES.items()]
    for entry in CATALOGUE.values():
        texts += [(f"{entry.code} {field}", getattr(entry, field)) for field in TEXT_FIELDS]
    return texts


class TestCatalogue:
    @pytest.mark.parametrize(
        ("code", "title"),
        [
            ("C1-INP-001", "Input data missing"),
            ("C1-EXT-002", "External API timeout"),
            ("C1-BAT-003", "Batch execution failed"),
            ("C1-DQ-004", "Data validation failed"),
        ],
    )
    def test_the_specs_codes_are_present_verbatim(self, code: str, title: str) -> None:
        assert CATALOGUE[code].title.en == title

    @pytest.mark.parametrize(
        ("code", "title"),
        [
            ("C1-LOG-005", "Calculation logic error"),
            ("C1-SYS-006", "Database or server failure"),
            ("C1-BAT-007", "Runner lost"),
            ("C1-INP-009", "Input data malformed"),
            ("C1-EXT-010", "External service unavailable"),
            ("C1-DQ-011", "Duplicate records"),
            ("C1-DQ-012", "Data gap"),
            ("C1-LOG-013", "Unexpected result"),
        ],
    )
    def test_the_agreed_codes_are_present(self, code: str, title: str) -> None:
        assert CATALOGUE[code].title.en == title

    def test_korean_titles_of_the_specs_codes(self) -> None:
        assert CATALOGUE["C1-INP-001"].title.ko == "입력 데이터 누락"
        assert CATALOGUE["C1-EXT-002"].title.ko == "외부 API 타임아웃"
        assert CATALOGUE["C1-BAT-003"].title.ko == "배치 실행 실패"
        assert CATALOGUE["C1-DQ-004"].title.ko == "데이터 검증 실패"

    def test_every_code_is_well_formed_and_in_its_category(self) -> None:
        for key, entry in CATALOGUE.items():
            match = CODE.match(key)
            assert match, key
            assert key == entry.code
            assert match.group(1) == entry.category
            assert entry.category in CATEGORIES

    def test_numbers_are_unique_across_categories(self) -> None:
        numbers = [CODE.match(code).group(2) for code in CATALOGUE]  # type: ignore[union-attr]
        assert len(numbers) == len(set(numbers))

    def test_catalogue_is_ordered_by_category_then_number(self) -> None:
        order = list(CATEGORIES)
        keys = [(order.index(entry.category), entry.number) for entry in CATALOGUE.values()]
        assert keys == sorted(keys)

    def test_stays_a_manageable_size(self) -> None:
        assert 10 <= len(CATALOGUE) <= 16

    @pytest.mark.parametrize(("where", "text"), all_texts())
    def test_every_text_has_english_and_korean(self, where: str, text: Text) -> None:
        assert text.en.strip(), where
        assert text.ko.strip(), where
        assert HANGUL.search(text.ko), f"{where}: Korean text has no Hangul"
        assert "\n" not in text.en and "\n" not in text.ko, where

    def test_only_external_timeouts_and_outages_are_transient(self) -> None:
        transient = {code for code, entry in CATALOGUE.items() if entry.transient}
        assert transient == {"C1-EXT-002", "C1-EXT-010"}

    def test_action_guides_name_a_console_command(self) -> None:
        for entry in CATALOGUE.values():
            assert "`c1console " in entry.action.en, entry.code
            assert "`c1console " in entry.action.ko, entry.code

    def test_user_messages_hide_internals(self) -> None:
        internals = re.compile(r"c1console|[a-z]Error\b|[Ee]xecution|[Rr]unner|[Tt]raceback|`|SQL|HTTP")
        for entry in CATALOGUE.values():
            assert not internals.search(entry.user_message.en), entry.code

    def test_runner_lost_says_nothing_was_rerun_and_how_to_resume(self) -> None:
        entry = CATALOGUE["C1-BAT-007"]
        assert "FAILED" in entry.operator_message.en
        assert "nothing was re-run automatically" in entry.operator_message.en
        assert "R " in entry.action.en and "c1console exec resume ID" in entry.action.en

    def test_named_constants_point_into_the_catalogue(self) -> None:
        names = [name for name in dir(errors) if name.isupper() and isinstance(getattr(errors, name), str)]
        constants = {getattr(errors, name) for name in names if CODE.match(getattr(errors, name))}
        assert constants == set(CATALOGUE)

    def test_entries_are_immutable(self) -> None:
        with pytest.raises(dataclasses.FrozenInstanceError):
            CATALOGUE["C1-INP-001"].code = "C1-INP-999"  # type: ignore[misc]

    def test_an_entry_must_match_its_category(self) -> None:
        text = Text(en="x", ko="가")
        with pytest.raises(ValueError, match="category"):
            ErrorCode("C1-INP-099", "EXT", text, text, text, text)
        with pytest.raises(ValueError, match="C1-<CAT>-<NNN>"):
            ErrorCode("C1-INP-1", "INP", text, text, text, text)


class TestLookupAndText:
    def test_lookup(self) -> None:
        assert lookup("C1-DQ-004") is CATALOGUE["C1-DQ-004"]
        assert lookup(" c1-dq-004 ") is CATALOGUE["C1-DQ-004"]
        assert lookup("C1-DQ-999") is None
        assert lookup("") is None
        assert lookup(None) is None

    def test_text_get(self) -> None:
        text = CATALOGUE["C1-INP-001"].title
        assert text.get("en") == "Input data missing"
        assert text.get("ko") == "입력 데이터 누락"
        with pytest.raises(ValueError):
            text.get("fr")  # type: ignore[arg-type]

    def test_text_needs_both_languages(self) -> None:
        with pytest.raises(ValueError):
            Text(en="only English", ko=" ")

    def test_as_dict(self) -> None:
        data = CATALOGUE["C1-EXT-002"].as_dict()
        assert list(data) == [
            "code",
            "category",
            "transient",
            "title",
            "user_message",
            "operator_message",
            "action",
        ]
        assert data["code"] == "C1-EXT-002"
        assert data["category"] == "EXT"
        assert data["transient"] is True
        assert data["title"] == {"en": "External API timeout", "ko": "외부 API 타임아웃"}


class TestJobErrors:
    @pytest.mark.parametrize(
        ("cls", "code"),
        [
            (InputDataError, "C1-INP-001"),
            (ExternalError, "C1-EXT-002"),
            (BatchError, "C1-BAT-003"),
            (DataQualityError, "C1-DQ-004"),
            (LogicError, "C1-LOG-005"),
            (SystemFailure, "C1-SYS-006"),
        ],
    )
    def test_default_codes_and_classify(self, cls: type[JobError], code: str) -> None:
        exc = cls("something broke")
        assert exc.code == code
        assert classify(exc) == code
        assert str(exc) == "something broke"
        assert isinstance(exc, JobError)

    def test_another_code_of_the_same_category(self) -> None:
        exc = InputDataError("close is NULL", code="C1-INP-009")
        assert exc.code == "C1-INP-009"
        assert classify(exc) == "C1-INP-009"
        assert classify(DataQualityError(code="C1-DQ-011")) == "C1-DQ-011"

    def test_a_code_of_another_category_is_refused(self) -> None:
        with pytest.raises(ValueError, match="INP"):
            InputDataError("x", code="C1-EXT-002")
        with pytest.raises(ValueError, match="DQ"):
            DataQualityError("x", code="C1-LOG-013")

    def test_an_unknown_code_is_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown"):
            ExternalError("x", code="C1-EXT-999")
        with pytest.raises(ValueError, match="unknown"):
            JobError("x", code="")

    def test_plain_job_error_takes_any_category(self) -> None:
        assert JobError().code == "C1-BAT-003"
        assert str(JobError()) == "Batch execution failed"
        assert JobError("x", code="C1-SYS-014").code == "C1-SYS-014"

    def test_a_subclass_with_its_own_default(self) -> None:
        class PriceFileMalformed(InputDataError):
            default_code = "C1-INP-009"

        assert classify(PriceFileMalformed("bad")) == "C1-INP-009"

    def test_a_subclass_with_a_wrong_default_is_refused_at_definition(self) -> None:
        with pytest.raises(ValueError):

            class Wrong(InputDataError):
                default_code = "C1-EXT-002"

    def test_pickle_keeps_the_code(self) -> None:
        exc = pickle.loads(pickle.dumps(InputDataError("gone", code="C1-INP-009")))
        assert (type(exc), exc.code, str(exc)) == (InputDataError, "C1-INP-009", "gone")


def _sqlalchemy_wrapped(orig: BaseException) -> sqlalchemy.exc.DBAPIError:
    return sqlalchemy.exc.DBAPIError.instance("SELECT 1", {}, orig, psycopg.Error)


def _http_status_error(status: int) -> httpx.HTTPStatusError:
    request = httpx.Request("GET", "https://prices.example/api")
    response = httpx.Response(status, request=request)
    return httpx.HTTPStatusError(f"HTTP {status}", request=request, response=response)


class TestClassify:
    @pytest.mark.parametrize(
        ("exc", "code"),
        [
            (psycopg.OperationalError("connection refused"), "C1-SYS-006"),
            (psycopg.InterfaceError("the connection is closed"), "C1-SYS-006"),
            (psycopg.errors.AdminShutdown("terminating connection"), "C1-SYS-006"),
            (TimeoutError("read timed out"), "C1-EXT-002"),
            (OSError(errno.ETIMEDOUT, "Connection timed out"), "C1-EXT-002"),
            (ValueError("bad literal"), "C1-LOG-005"),
            (ZeroDivisionError("division by zero"), "C1-LOG-005"),
            (KeyError("ACC-001"), "C1-LOG-005"),
            (ConnectionRefusedError(errno.ECONNREFUSED, "refused"), "C1-SYS-006"),
            (ConnectionResetError("reset by peer"), "C1-SYS-006"),
            (BrokenPipeError("broken pipe"), "C1-SYS-006"),
            (OSError(errno.EHOSTUNREACH, "No route to host"), "C1-SYS-006"),
            (OSError(errno.ENETUNREACH, "Network is unreachable"), "C1-SYS-006"),
            (socket.gaierror(-2, "Name or service not known"), "C1-SYS-006"),
            (FileNotFoundError(errno.ENOENT, "no such file"), "C1-LOG-005"),
            (psycopg.errors.UniqueViolation("duplicate key"), "C1-LOG-005"),
        ],
    )
    def test_builtin_and_driver_exceptions(self, exc: BaseException, code: str) -> None:
        assert classify(exc) == code

    def test_sqlalchemy_connection_errors(self) -> None:
        assert classify(_sqlalchemy_wrapped(psycopg.OperationalError("server closed"))) == "C1-SYS-006"
        assert classify(_sqlalchemy_wrapped(psycopg.InterfaceError("closed"))) == "C1-SYS-006"
        assert classify(sqlalchemy.exc.TimeoutError("QueuePool limit reached")) == "C1-SYS-006"
        assert classify(sqlalchemy.exc.DisconnectionError("gone")) == "C1-SYS-006"

    def test_sqlalchemy_invalidated_connection(self) -> None:
        exc = sqlalchemy.exc.DBAPIError("SELECT 1", {}, psycopg.Error("x"), connection_invalidated=True)
        assert classify(exc) == "C1-SYS-006"

    def test_sqlalchemy_statement_errors_are_not_system_failures(self) -> None:
        exc = _sqlalchemy_wrapped(psycopg.errors.UniqueViolation("duplicate key"))
        assert isinstance(exc, sqlalchemy.exc.IntegrityError)
        assert classify(exc) == "C1-LOG-005"

    @pytest.mark.parametrize(
        ("exc", "code"),
        [
            (httpx.ConnectTimeout("connect timed out"), "C1-EXT-002"),
            (httpx.ReadTimeout("read timed out"), "C1-EXT-002"),
            (httpx.ConnectError("connection refused"), "C1-EXT-010"),
            (httpx.RemoteProtocolError("server disconnected"), "C1-EXT-010"),
            (_http_status_error(503), "C1-EXT-010"),
            (_http_status_error(429), "C1-EXT-010"),
            (_http_status_error(504), "C1-EXT-002"),
            (_http_status_error(401), "C1-EXT-016"),
            (_http_status_error(404), "C1-EXT-016"),
        ],
    )
    def test_http_client_errors(self, exc: BaseException, code: str) -> None:
        assert classify(exc) == code

    def test_every_classified_code_is_in_the_catalogue(self) -> None:
        for exc in (TimeoutError(), ConnectionError(), ValueError(), _http_status_error(401)):
            assert classify(exc) in CATALOGUE


class TestLanguage:
    @pytest.mark.parametrize(
        ("env", "lang"),
        [
            ({"C1_LANG": "ko"}, "ko"),
            ({"C1_LANG": "en", "LANG": "ko_KR.UTF-8"}, "en"),
            ({"C1_LANG": "KO"}, "ko"),
            ({"LANG": "ko_KR.UTF-8"}, "ko"),
            ({"LANG": "C.UTF-8"}, "en"),
            ({"LANG": "en_US.UTF-8"}, "en"),
            ({"LC_ALL": "ko_KR.UTF-8", "LANG": "C"}, "ko"),
            ({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}, "en"),
            ({"LC_MESSAGES": "ko_KR.UTF-8", "LANG": "en_US.UTF-8"}, "ko"),
            ({"C1_LANG": "", "LANG": "ko_KR.UTF-8"}, "ko"),
            ({}, "en"),
        ],
    )
    def test_language(self, env: dict[str, str], lang: str) -> None:
        assert language(env) == lang

    def test_invalid_c1_lang_is_bad_input(self) -> None:
        with pytest.raises(BadInput) as caught:
            language({"C1_LANG": "fr", "LANG": "ko_KR.UTF-8"})
        assert caught.value.exit_code == 2
        assert "C1_LANG" in str(caught.value)
        assert "\n" not in str(caught.value)

    def test_reads_the_process_environment_by_default(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("C1_LANG", "ko")
        assert language() == "ko"


class TestProblems:
    def test_message_and_hint_on_one_line(self) -> None:
        problem = Refused("execution 42 is RUNNING\nand cannot be resumed", hint="stop it first:\ns")
        assert str(problem) == "execution 42 is RUNNING and cannot be resumed — stop it first: s"
        assert problem.message == "execution 42 is RUNNING and cannot be resumed"
        assert problem.hint == "stop it first: s"

    def test_without_hint(self) -> None:
        assert str(CheckFailed("2 executions FAILED yesterday")) == "2 executions FAILED yesterday"

    @pytest.mark.parametrize(
        ("cls", "exit_code"),
        [(Problem, 1), (CheckFailed, 1), (BadInput, 2), (DatabaseUnavailable, 3), (Refused, 4)],
    )
    def test_exit_codes(self, cls: type[Problem], exit_code: int) -> None:
        assert cls.exit_code == exit_code
        assert cls("x").exit_code == exit_code
        assert issubclass(cls, Problem)

    @given(message=st.text(), hint=st.none() | st.text())
    def test_always_renders_as_one_line(self, message: str, hint: str | None) -> None:
        rendered = str(DatabaseUnavailable(message, hint=hint))
        assert "\n" not in rendered and "\r" not in rendered
        assert len(rendered.splitlines()) <= 1


class TestRendering:
    @pytest.mark.parametrize("lang", ["en", "ko"])
    def test_text_lists_every_code_with_its_title(self, lang: str) -> None:
        text = render_text(lang)  # type: ignore[arg-type]
        for entry in CATALOGUE.values():
            assert f"{entry.code}  " in text or f"{entry.code} " in text
            assert entry.title.get(lang) in text  # type: ignore[arg-type]
        assert text.index("C1-INP-001") < text.index("C1-SYS-006")

    def test_text_is_in_the_chosen_language(self) -> None:
        assert "Action:" in render_text("en") and "조치:" not in render_text("en")
        assert "조치:" in render_text("ko") and "Action:" not in render_text("ko")

    def test_text_keeps_commands_on_one_line(self) -> None:
        for lang in ("en", "ko"):
            text = render_text(lang)  # type: ignore[arg-type]
            assert "`c1console exec replay --of ID --failed-only --reason ...`" in text

    def test_json_holds_both_languages(self) -> None:
        data = json.loads(render_json())
        assert [item["code"] for item in data] == list(CATALOGUE)
        assert data == [entry.as_dict() for entry in CATALOGUE.values()]
        assert data[0]["title"] == {"en": "Input data missing", "ko": "입력 데이터 누락"}


class TestDocs:
    def test_docs_are_up_to_date(self) -> None:
        stale = f"docs/error-codes.md is stale: run `{COMMAND}`"
        assert DOCS.exists(), stale
        assert DOCS.read_text(encoding="utf-8") == render_markdown(), stale

    def test_docs_say_they_are_generated(self) -> None:
        assert "python -m c1console.errors.docs" in render_markdown().splitlines()[2]

    def test_docs_cover_every_code_in_both_languages(self) -> None:
        markdown = render_markdown()
        for entry in CATALOGUE.values():
            assert f"### {entry.code} — {entry.title.en} / {entry.title.ko}" in markdown
            assert entry.operator_message.ko in markdown
        assert "| field | English | 한국어 |" in markdown

    def test_docs_document_the_classification(self) -> None:
        markdown = render_markdown()
        for name in ("psycopg.OperationalError", "TimeoutError", "ConnectionError", "anything else"):
            assert name in markdown
