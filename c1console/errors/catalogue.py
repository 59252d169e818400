"""The catalogue: every error code with its title, user message, operator message and action guide.

Each code is ``C1-<CAT>-<NNN>``: ``CAT`` is one of the six categories of the spec's failure taxonomy and
``NNN`` is unique across all categories (spec section 7: the user message is not the operator message; the
operator message names the cause and the action). This module is data; docs/error-codes.md is generated
from it by ``python -m c1console.errors.docs``.
"""

from __future__ import annotations

from c1console.errors.bilingual import Text
from c1console.errors.codes import ErrorCode

CATEGORIES: dict[str, Text] = {
    "INP": Text(en="Input data", ko="입력 데이터"),
    "EXT": Text(en="External integration", ko="외부 연동"),
    "BAT": Text(en="Batch execution", ko="배치 실행"),
    "DQ": Text(en="Data integrity", ko="데이터 무결성"),
    "LOG": Text(en="Logic", ko="로직 오류"),
    "SYS": Text(en="System", ko="시스템"),
}

# Phrases shared by several action guides, so every guide names the commands the same way.
_SHOW_EN = "(Enter, or `c1console exec show ID`)"
_SHOW_KO = "(Enter 또는 `c1console exec show ID`)"
_REPLAY_CMD = "`c1console exec replay --of ID --failed-only --reason ...`"
_RESUME_CMD = "`c1console exec resume ID --reason ...`"
_REPLAY_EN = f"replay the failed units: press r on the execution (or {_REPLAY_CMD})"
_REPLAY_KO = f"실행에서 r 키를 눌러 실패한 유닛만 재처리하십시오(또는 {_REPLAY_CMD})"
_RESUME_EN = f"press R on the execution (or {_RESUME_CMD})"
_RESUME_KO = f"실행에서 R 키를 누르십시오(또는 {_RESUME_CMD})"
_PAUSE_CMD = "`c1console jobs pause JOB --reason ...`"
_UNPAUSE_CMD = "`c1console jobs resume JOB --reason ...`"
_TRANSIENT_EN = (
    "This code is transient: if the job opted in to retries, the unit's attempts show how many tries were "
    "made before it gave up."
)
_TRANSIENT_KO = (
    "일시 오류로 분류되는 코드이므로, 잡이 재시도를 사용하도록 설정된 경우 유닛의 시도 횟수(attempts)에서 "
    "실패 전까지 몇 번 시도했는지 확인할 수 있습니다."
)

_ENTRIES: tuple[ErrorCode, ...] = (
    ErrorCode(
        code="C1-INP-001",
        category="INP",
        title=Text(en="Input data missing", ko="입력 데이터 누락"),
        user_message=Text(
            en="Results for this date are not available yet because required input data has not arrived.",
            ko="필요한 입력 데이터가 아직 도착하지 않아 해당 일자의 결과를 제공할 수 없습니다.",
        ),
        operator_message=Text(
            en="The job found no data in a source file or table for the unit's business date and target, "
            "or the source itself does not exist (file not delivered, table not loaded). See the unit "
            "message for the source and the missing key.",
            ko="원천 파일 또는 테이블에 해당 유닛의 기준일자·대상 데이터가 없거나, 원천 자체가 없습니다"
            "(파일 미수신, 테이블 미적재). 누락된 원천과 키는 유닛 메시지에서 확인하십시오.",
        ),
        action=Text(
            en=f"1) Open the execution {_SHOW_EN} to see which business dates and targets failed. "
            "2) Check the source file/table for those dates and targets, and ask the source owner to "
            f"deliver or reload the data. 3) Once the data is loaded, {_REPLAY_EN}. Units that succeeded "
            "keep their results.",
            ko=f"1) 실행 상세{_SHOW_KO}에서 실패한 기준일자와 대상을 확인하십시오. 2) 해당 일자·대상의 "
            "원천 파일/테이블을 점검하고, 원천 담당자에게 데이터 전송 또는 재적재를 요청하십시오. "
            f"3) 데이터 적재가 끝나면 {_REPLAY_KO}. 성공한 유닛의 결과는 그대로 유지됩니다.",
        ),
    ),
    ErrorCode(
        code="C1-INP-009",
        category="INP",
        title=Text(en="Input data malformed", ko="입력 데이터 형식 오류"),
        user_message=Text(
            en="Some input data could not be processed because it is in an unexpected format.",
            ko="일부 입력 데이터의 형식이 올바르지 않아 처리하지 못했습니다.",
        ),
        operator_message=Text(
            en="The source data exists but cannot be used: a required field is NULL or empty, a value has "
            "the wrong type or format (date, number, code value), or the file layout or columns changed. "
            "See the unit message for the record and field.",
            ko="원천 데이터는 있으나 사용할 수 없는 상태입니다. 필수 항목의 NULL·공백, 자료형·형식 오류"
            "(일자, 숫자, 코드값), 파일 레이아웃이나 컬럼 구성 변경 등이 원인입니다. 문제 레코드와 항목은 "
            "유닛 메시지에서 확인하십시오.",
        ),
        action=Text(
            en=f"1) Find the offending record and field in the unit message {_SHOW_EN}. 2) Ask the source "
            "owner to correct and resend the data; if the layout changed on purpose, the job must be "
            f"updated first. 3) Then {_REPLAY_EN}.",
            ko=f"1) 유닛 메시지{_SHOW_KO}에서 문제 레코드와 항목을 확인하십시오. 2) 원천 담당자에게 데이터 "
            "수정 및 재전송을 요청하십시오. 레이아웃이 의도적으로 변경된 경우에는 잡을 먼저 수정해야 합니다. "
            f"3) 그다음 {_REPLAY_KO}.",
        ),
    ),
    ErrorCode(
        code="C1-EXT-002",
        category="EXT",
        transient=True,
        title=Text(en="External API timeout", ko="외부 API 타임아웃"),
        user_message=Text(
            en="Results are delayed because an external data provider did not respond in time.",
            ko="외부 데이터 제공처의 응답이 지연되어 결과 제공이 늦어지고 있습니다.",
        ),
        operator_message=Text(
            en="A call to an external API or market-price feed got no answer within its timeout "
            f"(including HTTP 408/504). {_TRANSIENT_EN}",
            ko="외부 API 또는 시세 수신 호출이 제한 시간 내에 응답을 받지 못했습니다(HTTP 408/504 포함). "
            f"{_TRANSIENT_KO}",
        ),
        action=Text(
            en="1) Check the provider's status page or contact the provider, and test the network/proxy "
            "path from the runner host. 2) If several jobs fail with this code at once, treat it as a "
            f"provider outage: pause the affected jobs (p, or {_PAUSE_CMD}) until it recovers. 3) When "
            f"the provider answers again, resume paused jobs ({_UNPAUSE_CMD}) and {_REPLAY_EN}.",
            ko="1) 제공처의 서비스 상태 페이지를 확인하거나 제공처에 문의하고, 러너 호스트에서 "
            "네트워크/프록시 경로를 점검하십시오. 2) 여러 잡이 동시에 이 코드로 실패하면 제공처 장애로 보고, "
            f"복구될 때까지 해당 잡을 일시정지하십시오(p 키 또는 {_PAUSE_CMD}). 3) 제공처가 정상 응답하면 "
            f"일시정지한 잡을 재개하고({_UNPAUSE_CMD}), {_REPLAY_KO}.",
        ),
    ),
    ErrorCode(
        code="C1-EXT-010",
        category="EXT",
        transient=True,
        title=Text(en="External service unavailable", ko="외부 서비스 이용 불가"),
        user_message=Text(
            en="Results are delayed because an external data provider is currently unavailable.",
            ko="외부 데이터 제공처 서비스를 일시적으로 이용할 수 없어 결과 제공이 지연되고 있습니다.",
        ),
        operator_message=Text(
            en="An external API or feed refused or dropped the connection, or answered with a server error "
            f"or throttling (HTTP 5xx such as 502/503 during maintenance, or 429). {_TRANSIENT_EN}",
            ko="외부 API 또는 시세 피드가 연결을 거부하거나 끊었고, 또는 서버 오류나 호출 제한으로 "
            f"응답했습니다(점검 중 502/503 같은 HTTP 5xx, 또는 429). {_TRANSIENT_KO}",
        ),
        action=Text(
            en="1) Check the provider's status page or maintenance notice, contact the provider if needed, "
            "and test the network, proxy and firewall path from the runner host. 2) During a long outage, "
            f"pause the affected jobs (p, or {_PAUSE_CMD}) so scheduled runs do not keep failing. 3) When "
            f"the provider is back, resume paused jobs ({_UNPAUSE_CMD}) and {_REPLAY_EN}.",
            ko="1) 제공처의 서비스 상태 페이지나 점검 공지를 확인하고 필요하면 제공처에 문의하십시오. 러너 "
            "호스트에서 네트워크·프록시·방화벽 경로도 점검하십시오. 2) 장애가 길어지면 예약 실행이 계속 "
            f"실패하지 않도록 해당 잡을 일시정지하십시오(p 키 또는 {_PAUSE_CMD}). 3) 제공처가 복구되면 "
            f"일시정지한 잡을 재개하고({_UNPAUSE_CMD}), {_REPLAY_KO}.",
        ),
    ),
    ErrorCode(
        code="C1-EXT-016",
        category="EXT",
        title=Text(en="External API request rejected", ko="외부 API 요청 거부"),
        user_message=Text(
            en="Results are delayed because an external data provider rejected our request.",
            ko="외부 데이터 제공처가 요청을 거부하여 결과 제공이 지연되고 있습니다.",
        ),
        operator_message=Text(
            en="The external API answered but refused the request: authentication or authorization failed "
            "(HTTP 401/403: expired API key, token or certificate), or the request was invalid (HTTP "
            "400/404/422: changed endpoint or parameters). Sending the same request again will not help, "
            "so this code is not transient.",
            ko="외부 API가 응답은 했으나 요청을 거부했습니다. 인증·권한 실패(HTTP 401/403: API 키, 토큰, "
            "인증서 만료) 또는 잘못된 요청(HTTP 400/404/422: 엔드포인트나 파라미터 변경)이 원인입니다. "
            "같은 요청을 다시 보내도 해결되지 않으므로 일시 오류로 분류하지 않습니다.",
        ),
        action=Text(
            en=f"1) Read the HTTP status and the response in the unit message {_SHOW_EN}. 2) For 401/403, "
            "renew the API key, token or certificate in the job's configuration; for 400/404/422, check the "
            f"provider's change notices and have the job updated. 3) Then {_REPLAY_EN}.",
            ko=f"1) 유닛 메시지{_SHOW_KO}에서 HTTP 상태 코드와 응답 내용을 확인하십시오. 2) 401/403이면 잡 "
            "설정의 API 키, 토큰 또는 인증서를 갱신하고, 400/404/422이면 제공처의 변경 공지를 확인하여 잡을 "
            f"수정하십시오. 3) 그다음 {_REPLAY_KO}.",
        ),
    ),
    ErrorCode(
        code="C1-BAT-003",
        category="BAT",
        title=Text(en="Batch execution failed", ko="배치 실행 실패"),
        user_message=Text(
            en="This batch did not complete; results for some dates or items may be missing or out of date.",
            ko="배치가 정상적으로 완료되지 않아 일부 일자나 항목의 결과가 없거나 최신이 아닐 수 있습니다.",
        ),
        operator_message=Text(
            en="The job ended abnormally partway through: it raised BatchError (or a plain JobError), or "
            "the execution could not be carried to completion, for example because the job failed while "
            "setting up before its first unit. Units completed before the failure keep their results; "
            "failed and unprocessed units leave the previous active results in place.",
            ko="잡이 실행 도중 비정상 종료되었습니다. BatchError(또는 JobError)가 발생했거나, 첫 유닛 전 "
            "준비 단계에서 실패하는 등 실행을 끝까지 진행하지 못한 경우입니다. 실패 전에 완료된 유닛의 "
            "결과는 유지되며, 실패하거나 처리되지 않은 유닛은 기존 활성 결과가 그대로 남아 있습니다.",
        ),
        action=Text(
            en=f"1) Open the execution {_SHOW_EN} and read the failed units' messages and the execution "
            "log. 2) Fix the cause (job code, configuration or environment); running again without a fix "
            "fails the same way. 3) Resume the execution to run only the units that did not succeed: "
            f"{_RESUME_EN}.",
            ko=f"1) 실행 상세{_SHOW_KO}에서 실패한 유닛의 메시지와 실행 로그를 확인하십시오. 2) 원인(잡 "
            "코드, 설정, 실행 환경)을 조치하십시오. 조치 없이 다시 실행하면 같은 이유로 실패합니다. "
            f"3) 성공하지 못한 유닛만 다시 처리하도록 실행을 재개하십시오. {_RESUME_KO}.",
        ),
    ),
    ErrorCode(
        code="C1-BAT-007",
        category="BAT",
        title=Text(en="Runner lost", ko="러너 응답 없음"),
        user_message=Text(
            en="This batch was interrupted by a system problem and did not complete.",
            ko="시스템 문제로 배치 처리가 도중에 끊겨 완료되지 않았습니다.",
        ),
        operator_message=Text(
            en="The runner that owned this RUNNING execution stopped heartbeating past its lease: its "
            "process crashed or was killed, or its host or network went down. The execution was marked "
            "FAILED with this code; nothing was re-run automatically. Units committed before the runner "
            "was lost keep their results.",
            ko="RUNNING 상태인 이 실행을 맡고 있던 러너가 리스(lease) 만료 시각이 지나도록 하트비트를 "
            "보내지 않았습니다. 프로세스가 비정상 종료되었거나 강제 종료되었고, 또는 호스트·네트워크에 "
            "장애가 있었던 경우입니다. 실행은 이 코드로 FAILED 처리되었으며 자동으로 재실행되지 않았습니다. "
            "러너가 응답을 멈추기 전에 커밋된 유닛의 결과는 유지됩니다.",
        ),
        action=Text(
            en="1) Check the runner host shown on the execution (runner id): is the host reachable, is the "
            "runner process alive (`systemctl status`), was it OOM-killed or restarted (`journalctl`)? "
            "2) Start the runner again if it is down (`c1console runner`, normally via systemd). 3) Resume "
            f"the execution to run only the units that did not finish: {_RESUME_EN}.",
            ko="1) 실행에 표시된 러너 호스트(runner id)를 점검하십시오. 호스트 접속 가능 여부, 러너 "
            "프로세스 동작 여부(`systemctl status`), 메모리 부족(OOM)으로 인한 강제 종료나 재시작 "
            "이력(`journalctl`)을 확인합니다. 2) 러너가 내려가 있으면 다시 기동하십시오"
            "(`c1console runner`, 보통 systemd로 관리). "
            f"3) 완료되지 않은 유닛만 처리하도록 실행을 재개하십시오. {_RESUME_KO}.",
        ),
    ),
    ErrorCode(
        code="C1-BAT-015",
        category="BAT",
        title=Text(en="Job not registered on runner", ko="러너에 미등록된 잡"),
        user_message=Text(
            en="This batch could not start because of a configuration problem.",
            ko="설정 문제로 배치를 시작하지 못했습니다.",
        ),
        operator_message=Text(
            en="A runner took this execution but its job_id is not in the runner's job registry: the job "
            "was renamed or removed from the code, or this runner runs a different release than the one "
            "that created the execution. No unit was run.",
            ko="러너가 이 실행을 가져왔지만 job_id가 러너의 잡 레지스트리에 없습니다. 코드에서 잡 이름이 "
            "바뀌었거나 삭제되었고, 또는 실행을 생성한 쪽과 다른 릴리스로 러너가 동작 중인 경우입니다. "
            "실행된 유닛은 없습니다.",
        ),
        action=Text(
            en="1) Compare the release deployed on every runner host; all runners must run the same "
            "release. 2) If the job was renamed or retired on purpose, pause the old job "
            f"({_PAUSE_CMD}) so it stops firing. 3) Once the runners are aligned and restarted, resume "
            f"the execution: {_RESUME_EN}.",
            ko="1) 모든 러너 호스트에 배포된 릴리스를 비교하십시오. 모든 러너는 같은 릴리스로 동작해야 "
            "합니다. 2) 잡 이름 변경이나 폐기가 의도된 것이라면 기존 잡이 더 이상 실행되지 않도록 "
            f"일시정지하십시오({_PAUSE_CMD}). 3) 러너 버전을 맞추고 재시작한 뒤 실행을 재개하십시오. "
            f"{_RESUME_KO}.",
        ),
    ),
    ErrorCode(
        code="C1-DQ-004",
        category="DQ",
        title=Text(en="Data validation failed", ko="데이터 검증 실패"),
        user_message=Text(
            en="Some results did not pass validation checks and were not updated.",
            ko="일부 결과가 데이터 검증을 통과하지 못해 갱신되지 않았습니다.",
        ),
        operator_message=Text(
            en="A validation rule in the job rejected the unit's input or output: totals that do not "
            "reconcile, values out of range, a broken reference to master data, or another consistency "
            "check. The failed unit saved nothing; the previous active result for its keys is unchanged.",
            ko="잡의 검증 규칙이 유닛의 입력 또는 산출 데이터를 거부했습니다(합계 불일치, 허용 범위 초과, "
            "기준정보 참조 오류 등 정합성 점검 실패). 실패한 유닛은 결과를 저장하지 않았으며, 해당 키의 "
            "기존 활성 결과는 변경되지 않았습니다.",
        ),
        action=Text(
            en=f"1) Read the unit message {_SHOW_EN} for the rule that failed and the offending keys. "
            "2) If the source data is wrong, have it corrected at the source; if the rule is wrong, have "
            f"the job fixed first. Then {_REPLAY_EN}. 3) If the value is correct and must be published as "
            "it is, request a compensation with the evidence (`c1console comp request`); a second operator "
            "with the approver role approves it.",
            ko=f"1) 유닛 메시지{_SHOW_KO}에서 실패한 검증 규칙과 문제 키를 확인하십시오. 2) 원천 데이터가 "
            "잘못된 경우 원천에서 수정하고, 검증 규칙이 잘못된 경우에는 잡을 먼저 수정하십시오. 그다음 "
            f"{_REPLAY_KO}. 3) 값이 맞고 그대로 반영해야 한다면 근거 자료를 첨부해 보정을 요청하십시오"
            "(`c1console comp request`). 승인 권한이 있는 다른 운영자가 승인합니다.",
        ),
    ),
    ErrorCode(
        code="C1-DQ-011",
        category="DQ",
        title=Text(en="Duplicate records", ko="중복 데이터"),
        user_message=Text(
            en="Some results were not updated because the source data contains duplicate records.",
            ko="원천 데이터에 중복 레코드가 있어 일부 결과가 갱신되지 않았습니다.",
        ),
        operator_message=Text(
            en="The same key (for example account, instrument and date) appears more than once in the "
            "input or in the job's output, so the job cannot tell which record is valid. Typical causes: "
            "a file delivered twice, a feed re-sent without a cancel, or a missing join condition.",
            ko="동일한 키(예: 계좌·종목·일자)가 입력 또는 산출 데이터에 두 번 이상 나타나 어느 레코드가 "
            "유효한지 판단할 수 없습니다. 파일 이중 수신, 취소 없이 재전송된 피드, 조인 조건 누락 등이 "
            "주된 원인입니다.",
        ),
        action=Text(
            en=f"1) Identify the duplicated keys from the unit message {_SHOW_EN}. 2) Ask the source owner "
            "which record is valid and have the duplicate removed at the source; if the job's own logic "
            f"produced it, hand it to the job's developers. 3) Then {_REPLAY_EN}. 4) If an earlier "
            "execution already published results built from the duplicates, roll it back (b, or "
            "`c1console exec rollback ID --reason ...`) or replay its range.",
            ko=f"1) 유닛 메시지{_SHOW_KO}에서 중복된 키를 확인하십시오. 2) 원천 담당자에게 유효한 레코드를 "
            "확인하고 원천에서 중복을 제거하도록 요청하십시오. 잡 로직에서 중복이 생긴 경우에는 잡 개발 "
            f"담당자에게 전달하십시오. 3) 그다음 {_REPLAY_KO}. 4) 이전 실행이 중복 데이터로 계산한 결과를 "
            "이미 반영했다면 해당 실행을 롤백하거나(b 키 또는 `c1console exec rollback ID --reason ...`) "
            "그 구간을 재처리하십시오.",
        ),
    ),
    ErrorCode(
        code="C1-DQ-012",
        category="DQ",
        title=Text(en="Data gap", ko="데이터 누락 구간"),
        user_message=Text(
            en="Results are incomplete because data for some dates or items is missing.",
            ko="일부 일자 또는 항목의 데이터가 빠져 있어 결과가 완전하지 않습니다.",
        ),
        operator_message=Text(
            en="A consistency check found a hole: business dates, accounts/portfolios or other keys that "
            "should be present according to the business calendar or master list have no data, e.g. a "
            "trading day missing from a price series or an account missing from a position file.",
            ko="정합성 점검에서 누락 구간이 발견되었습니다. 영업일 캘린더나 기준 목록상 있어야 할 일자, "
            "계좌/포트폴리오 또는 기타 키의 데이터가 없습니다(예: 시세 시계열의 특정 영업일 누락, 잔고 "
            "파일의 계좌 누락).",
        ),
        action=Text(
            en=f"1) Read the missing dates or keys in the unit message {_SHOW_EN}. 2) Check whether an "
            "earlier execution for those dates failed, was stopped or never ran (`c1console checklist "
            "daily --date D` lists FAILED/STOPPED executions and missed runs) and fix that first. 3) Once "
            "the data is there, replay exactly the gap: a range replay (`c1console exec replay --job J "
            "--from D --to D --reason ...`) or, for one account/portfolio, a single replay (`--target T`).",
            ko=f"1) 유닛 메시지{_SHOW_KO}에서 누락된 일자나 키를 확인하십시오. 2) 해당 일자의 이전 실행이 "
            "실패·중단되었거나 아예 실행되지 않았는지 확인하고(`c1console checklist daily --date D`에 "
            "FAILED/STOPPED 실행과 누락된 예약 실행이 표시됩니다) 그 건부터 조치하십시오. 3) 데이터가 "
            "갖춰지면 누락 구간만 재처리하십시오. 날짜 범위는 구간 재처리(`c1console exec replay --job J "
            "--from D --to D --reason ...`), 계좌/포트폴리오 하나는 단건 재처리(`--target T`)를 사용합니다.",
        ),
    ),
    ErrorCode(
        code="C1-LOG-005",
        category="LOG",
        title=Text(en="Calculation logic error", ko="계산 로직 오류"),
        user_message=Text(
            en="An internal error occurred while calculating results; the affected results were not updated.",
            ko="결과 계산 중 내부 오류가 발생하여 해당 결과가 갱신되지 않았습니다.",
        ),
        operator_message=Text(
            en="The job raised a LogicError or an exception no other code covers (for example "
            "ZeroDivisionError, KeyError, a failed assertion): most likely a formula or branching error in "
            "the job's code. This is the default code for unclassified exceptions. The unit's traceback "
            "shows where it happened.",
            ko="잡에서 LogicError 또는 다른 코드로 분류되지 않는 예외(ZeroDivisionError, KeyError, assert "
            "실패 등)가 발생했습니다. 대부분 잡 코드의 산식·분기 오류입니다. 분류되지 않은 예외의 기본 "
            "코드이며, 발생 위치는 유닛의 트레이스백에서 확인할 수 있습니다.",
        ),
        action=Text(
            en=f"1) Open the execution {_SHOW_EN} and note the failed unit's traceback, business date and "
            "target. 2) Hand them to the job's developers; running unchanged code again fails the same "
            f"way. 3) After the fix is deployed and the runners restarted, {_REPLAY_EN}.",
            ko=f"1) 실행 상세{_SHOW_KO}에서 실패한 유닛의 트레이스백, 기준일자, 대상을 확인하십시오. 2) 이를 "
            "잡 개발 담당자에게 전달하십시오. 코드를 고치지 않고 다시 실행하면 같은 오류가 납니다. "
            f"3) 수정 사항을 배포하고 러너를 재시작한 뒤 {_REPLAY_KO}.",
        ),
    ),
    ErrorCode(
        code="C1-LOG-013",
        category="LOG",
        title=Text(en="Unexpected result", ko="계산 결과 이상"),
        user_message=Text(
            en="Some results looked abnormal and were held back for review.",
            ko="일부 결과값이 비정상으로 판단되어 검토를 위해 반영을 보류했습니다.",
        ),
        operator_message=Text(
            en="The job's sanity checks rejected a result it had calculated: an impossible value (negative "
            "quantity, NaN or infinity, a return beyond its limits), a branch that should never be reached, "
            "or a change from the previous business day beyond tolerance. The calculation ran, but its "
            "output was not saved.",
            ko="잡의 결과 점검 로직이 계산된 결과를 거부했습니다. 나올 수 없는 값(음수 수량, NaN·무한대, "
            "한도를 넘는 수익률), 도달하면 안 되는 분기, 전 영업일 대비 허용 범위를 넘는 변동 등이 "
            "원인입니다. 계산은 수행되었으나 결과는 저장되지 않았습니다.",
        ),
        action=Text(
            en=f"1) Compare the values in the unit message {_SHOW_EN} with the previous day's result and "
            "the inputs. 2) If an input is wrong, have it fixed at the source; if the logic is wrong, hand "
            f"it to the job's developers. Then {_REPLAY_EN}. 3) If the result is genuinely correct (for "
            "example a real market move), request a compensation with the evidence (`c1console comp "
            "request`) for a second operator to approve.",
            ko=f"1) 유닛 메시지{_SHOW_KO}의 값을 전일 결과 및 입력 데이터와 비교하십시오. 2) 입력이 "
            "잘못되었으면 원천에서 수정하고, 로직이 잘못되었으면 잡 개발 담당자에게 전달하십시오. 그다음 "
            f"{_REPLAY_KO}. 3) 실제 시장 급변처럼 결과가 정상이라면 근거 자료를 첨부해 보정을 요청하고"
            "(`c1console comp request`) 다른 운영자의 승인을 받으십시오.",
        ),
    ),
    ErrorCode(
        code="C1-SYS-006",
        category="SYS",
        title=Text(en="Database or server failure", ko="DB 또는 서버 장애"),
        user_message=Text(
            en="The service is temporarily unavailable because of a system problem. "
            "Please check again later.",
            ko="시스템 장애로 일시적으로 서비스를 이용할 수 없습니다. 잠시 후 다시 확인해 주세요.",
        ),
        operator_message=Text(
            en="A database or server connection failed: it was refused, dropped or timed out, the server "
            "shut down or failed over, or a network error occurred between the runner and the server "
            "(psycopg/SQLAlchemy OperationalError or InterfaceError, ConnectionError, DNS lookup failure).",
            ko="DB 또는 서버 연결에 실패했습니다. 연결 거부·끊김·시간 초과, 서버 종료 또는 페일오버, 러너와 "
            "서버 사이의 네트워크 오류 등이 원인입니다(psycopg/SQLAlchemy의 OperationalError·InterfaceError, "
            "ConnectionError, DNS 조회 실패).",
        ),
        action=Text(
            en="1) Check that PostgreSQL and the source servers are up and reachable from the runner host "
            "(`c1console db status`, server and network monitoring). 2) Look for a full disk, exhausted "
            "connections (max_connections) or a failover in progress. 3) When the service is back, resume "
            f"the execution to run the units that did not succeed: {_RESUME_EN}.",
            ko="1) PostgreSQL과 원천 서버가 기동 중이고 러너 호스트에서 접속 가능한지 확인하십시오"
            "(`c1console db status`, 서버·네트워크 모니터링). 2) 디스크 용량 부족, 커넥션 한도"
            "(max_connections) 초과, 페일오버 진행 여부를 점검하십시오. 3) 서비스가 복구되면 성공하지 못한 "
            f"유닛을 처리하도록 실행을 재개하십시오. {_RESUME_KO}.",
        ),
    ),
    ErrorCode(
        code="C1-SYS-014",
        category="SYS",
        title=Text(en="Runner shutdown interrupted the execution", ko="러너 종료로 실행 미완료"),
        user_message=Text(
            en="This batch was interrupted by system maintenance and did not complete.",
            ko="시스템 작업으로 배치 처리가 도중에 끊겨 완료되지 않았습니다.",
        ),
        operator_message=Text(
            en="The runner was shut down (SIGTERM from systemd, a deployment or a host reboot) while this "
            "execution was RUNNING. The execution was marked FAILED with this code and was not re-run "
            "automatically; units completed before the shutdown keep their results.",
            ko="이 실행이 RUNNING 상태일 때 러너가 종료되었습니다(systemd의 SIGTERM, 배포, 호스트 재부팅 "
            "등). 실행은 이 코드로 FAILED 처리되었으며 자동으로 재실행되지 않았습니다. 종료 전에 완료된 "
            "유닛의 결과는 유지됩니다.",
        ),
        action=Text(
            en="1) Confirm the shutdown was planned (deployment, maintenance, reboot: `journalctl` on the "
            "runner host); if not, find out what stopped the runner. 2) Make sure a runner is running "
            f"again (`c1console runner`, normally via systemd). 3) Resume the execution: {_RESUME_EN}. "
            "Before planned maintenance, pause the jobs (p) and let running executions finish first.",
            ko="1) 계획된 종료(배포, 점검, 재부팅)였는지 러너 호스트의 `journalctl`로 확인하고, 계획되지 "
            "않은 종료라면 러너를 종료시킨 원인을 파악하십시오. 2) 러너가 다시 동작 중인지 확인하십시오"
            f"(`c1console runner`, 보통 systemd로 관리). 3) 실행을 재개하십시오. {_RESUME_KO}. 계획된 점검 "
            "전에는 잡을 일시정지(p 키)하고 실행 중인 건이 끝난 뒤 진행하십시오.",
        ),
    ),
)


def _catalogue_order(entry: ErrorCode) -> tuple[int, int]:
    return list(CATEGORIES).index(entry.category), entry.number


def _build_catalogue(entries: tuple[ErrorCode, ...]) -> dict[str, ErrorCode]:
    numbers = [entry.number for entry in entries]
    if len(set(numbers)) != len(numbers):
        raise RuntimeError("error code numbers must be unique across categories")
    return {entry.code: entry for entry in sorted(entries, key=_catalogue_order)}


CATALOGUE: dict[str, ErrorCode] = _build_catalogue(_ENTRIES)


def lookup(code: str | None) -> ErrorCode | None:
    """The catalogue entry for ``code`` (surrounding blanks and letter case ignored), or None."""
    if not code:
        return None
    return CATALOGUE.get(code.strip().upper())
