import { josa } from './format.js';
import type { Catalog } from './keys.js';

/** Korean replies. Polite 해요체, no particles that depend on the noun. */
export const ko: Catalog = {
  proposed: (a) =>
    `#${a.s('number')} "${a.text('text')}" 미션 신청: @${a.s('user')} (${a.pts('amount')} ${a.currency}) — 모더: !mission approve ${a.s('number')}`,
  proposedOpen: (a) =>
    `#${a.s('number')} "${a.text('text')}" 미션 시작! 신청: @${a.s('user')} (${a.pts('amount')} ${a.currency}) 참여: !pledge ${a.s('number')} <금액>` +
    (a.has('timeLeftMs') ? ` — ${a.dur('timeLeftMs')} 남음` : ''),
  opened: (a) =>
    `#${a.s('number')} 미션 시작! 참여: !pledge ${a.s('number')} <금액>` +
    (a.has('timeLeftMs') ? ` — ${a.dur('timeLeftMs')} 남음` : ''),
  pledged: (a) => `@${a.s('user')} #${a.s('number')}에 ${a.pts('amount')} 참여, 총 ${a.pts('pot')} ${a.currency}`,
  pledgesCoalesced: (a) => `#${a.s('number')} +${a.pts('count')}명 참여, 총 ${a.pts('pot')} ${a.currency}`,
  balance: (a) =>
    `@${a.s('user')} 보유 ${a.pts('balance')} ${a.currency}` +
    (a.has('inEscrow') && a.s('inEscrow') !== '0' ? ` (미션에 ${a.pts('inEscrow')})` : ''),
  balanceBroadcaster: (a) =>
    `@${a.s('user')} 님 ${a.pts('balance')} ${a.currency}` +
    (a.has('inEscrow') && a.s('inEscrow') !== '0' ? ` (미션에 ${a.pts('inEscrow')})` : '') +
    `; 미션으로 모은 채널 수익 ${a.pts('treasury')} ${a.currency}`,
  missionInfo: (a) =>
    `#${a.s('number')} "${a.text('text')}" — ${a.word('status')}, 총 ${a.pts('pot')} ${a.currency}, ${a.pts('backers')}명 참여` +
    (a.has('timeLeftMs') ? `, ${a.dur('timeLeftMs')} 남음` : ''),
  missionListItem: (a) =>
    `#${a.s('number')} ${a.text('text')} (${a.pts('pot')} ${a.currency}` +
    (a.has('pending') ? ', 승인 대기' : '') +
    (a.has('timeLeftMs') ? `, ${a.dur('timeLeftMs')})` : ')'),
  missionList: (a) => `진행 중인 미션: ${a.s('items')}` + (a.has('more') ? ` · 외 ${a.s('more')}개` : ''),
  noOpenMissions: () => '진행 중이거나 승인 대기 중인 미션이 없어요. 미션 신청: !mission <내용> [금액]',
  success: (a) => `#${a.s('number')} 미션 성공! ${a.pts('pot')} ${josa(a.currency, '이', '가')} 스트리머에게`,
  failed: (a) => `#${a.s('number')} 미션 실패 — ${a.pts('backers')}명에게 ${a.pts('pot')} ${a.currency} 환불`,
  expired: (a) =>
    `#${a.s('number')} 시간 종료! 모더: !mission success ${a.s('number')} 또는 !mission fail ${a.s('number')}` +
    (a.has('graceMs') ? ` (${a.dur('graceMs')} 안에 판정, 없으면 환불)` : ''),
  rejected: (a) =>
    `#${a.s('number')} 미션 거절` + (a.has('reason') ? ` (${a.text('reason')})` : '') + ` — ${a.pts('pot')} ${a.currency} 환불`,
  cancelled: (a) =>
    `#${a.s('number')} 미션 취소` +
    (a.has('reason') ? ` (${a.text('reason')})` : '') +
    ` — ${a.pts('backers')}명에게 ${a.pts('pot')} ${a.currency} 환불`,
  extended: (a) => `#${a.s('number')} 미션 연장 — ${a.dur('timeLeftMs')} 남음`,
  pendingTimedOut: (a) => `#${a.s('number')} 미션이 제때 승인되지 않았어요 — ${a.pts('pot')} ${a.currency} 환불`,
  paused: () => '새 미션 신청이 일시 중지됐어요. 진행 중인 미션은 계속돼요.',
  resumed: () => '새 미션 신청을 다시 받아요: !mission <내용> [금액]',
  granted: (a) =>
    `@${a.s('target')} ${a.pts('amount')} ${a.currency} 지급` + (a.has('balance') ? ` (보유 ${a.pts('balance')})` : ''),
  taken: (a) =>
    `@${a.s('target')} ${a.pts('amount')} ${a.currency} 회수` + (a.has('balance') ? ` (보유 ${a.pts('balance')})` : ''),

  // Domain errors (server/domain/errors.ts).
  VALIDATION: (a) => `${a.to}명령을 처리하지 못했어요. 확인하고 다시 시도해 주세요`,
  CHANNEL_NOT_FOUND: (a) => `${a.to}${a.s('channel')} 채널은 미션 설정이 안 돼 있어요`,
  CHANNEL_EXISTS: (a) => `${a.to}${a.s('channel')} 채널은 이미 설정돼 있어요`,
  MISSION_NOT_FOUND: (a) => `${a.to}#${a.s('number')} 미션이 없어요`,
  MISSION_NOT_OPEN: (a) => `${a.to}#${a.s('number')} 미션은 지금 참여할 수 없어요 (${a.word('status')})`,
  MISSION_NOT_PENDING: (a) => `${a.to}#${a.s('number')} 미션은 승인 대기 중이 아니에요 (${a.word('status')})`,
  INVALID_TRANSITION: (a) =>
    `${a.to}#${a.s('number')} 미션은 ${a.word('status')} 상태라서 ${a.word('action')}할 수 없어요`,
  INSUFFICIENT_FUNDS: (a) => `${a.to}${josa(a.currency, '이', '가')} 부족해요 (보유 ${a.pts('balance')}, 필요 ${a.pts('needed')})`,
  STAKE_TOO_LOW: (a) => `${a.to}최소 ${a.pts('minimum')} ${a.currency}부터 가능해요 (입력 ${a.pts('amount')})`,
  PLEDGE_TOO_HIGH: (a) => `${a.to}최대 ${a.pts('maximum')} ${a.currency}까지 참여할 수 있어요 (입력 ${a.pts('amount')})`,
  TOO_MANY_OPEN_MISSIONS: (a) => `${a.to}진행 중인 미션이 이미 ${a.s('limit')}개예요. 하나가 끝나면 신청해 주세요`,
  TOO_MANY_OPEN_MISSIONS_FOR_VIEWER: (a) =>
    `${a.to}이미 진행 중인 미션이 ${a.s('limit')}개 있어요. 끝난 뒤에 신청해 주세요`,
  DURATION_OUT_OF_RANGE: (a) => `${a.to}시간은 ${a.dur('minMs')}에서 ${a.dur('maxMs')} 사이여야 해요 (입력 ${a.dur('durationMs')})`,
  BLOCKED_WORDS: (a) => `${a.to}미션 내용에 금지어가 있어요`,
  COOLDOWN: (a) => `${a.to}${a.dur('retryAfterMs')} 뒤에 다시 신청할 수 있어요`,
  MISSIONS_PAUSED: (a) => `${a.to}지금은 새 미션 신청이 중지돼 있어요`,
  RESOLVER_HAS_PLEDGED: (a) => `${a.to}#${a.s('number')} 미션에 참여했기 때문에 직접 판정할 수 없어요`,
  FORBIDDEN: (a) => `${a.to}권한이 없어요`,
  UNAUTHORIZED: (a) => `${a.to}봇에 권한이 없어요`,
  VIEWER_NOT_FOUND: (a) => `${a.to}@${a.s('login')} 님은 아직 ${a.currency} 기록이 없어요: 먼저 채팅을 한 번 해야 해요`,
  IDEMPOTENCY_CONFLICT: (a) => `${a.to}이미 처리된 요청이에요`,
  OVERLOADED: (a) => `${a.to}참여가 몰리고 있어요. 잠시 후 다시 시도해 주세요`,
  BALANCE_LIMIT: (a) => `${a.to}최대 보유 한도(${a.pts('maximum')} ${a.currency})를 넘을 수 없어요`,

  // Grammar errors (server/domain/grammar/result.ts).
  AMOUNT_MISSING: (a) => `${a.to}금액을 입력해 주세요 (100, 1k, 1만, 전부, 반, 50%)`,
  AMOUNT_INVALID: (a) => `${a.to}"${a.token('token')}"은(는) 금액이 아니에요 (예: 100, 1k, 전부, 반, 50%)`,
  AMOUNT_ZERO: (a) => `${a.to}금액은 0보다 커야 해요`,
  AMOUNT_NEGATIVE: (a) => `${a.to}금액은 음수일 수 없어요`,
  AMOUNT_NOT_INTEGER: (a) => `${a.to}"${a.token('token')}": 금액은 정수로 입력해 주세요 (1.5k는 가능, 1.5는 불가)`,
  AMOUNT_NOT_WHOLE: (a) => `${a.to}"${a.token('token')}"은(는) 정수 금액이 아니에요`,
  AMOUNT_TOO_LARGE: (a) => `${a.to}금액이 너무 커요 (최대 ${a.pts('max')})`,
  AMOUNT_NOT_ABSOLUTE: (a) => `${a.to}여기에는 숫자로 입력해 주세요 (전부, 반, %는 안 돼요)`,
  PERCENT_OUT_OF_RANGE: (a) => `${a.to}퍼센트는 ${a.s('min')}%에서 ${a.s('max')}% 사이의 정수여야 해요`,
  DURATION_MISSING: (a) => `${a.to}시간을 입력해 주세요 (90s, 10분, 1시간30분)`,
  DURATION_INVALID: (a) => `${a.to}"${a.token('token')}"은(는) 시간이 아니에요 (예: 90s, 10분, 1h30m)`,
  DURATION_NO_UNIT: (a) => `${a.to}"${a.token('token')}"에 단위를 붙여 주세요 (예: 10분, 10m)`,
  DURATION_ZERO: (a) => `${a.to}시간은 0보다 길어야 해요`,
  DURATION_TOO_SHORT: (a) => `${a.to}시간은 최소 ${josa(a.dur('minMs'), '이에요', '예요')}`,
  DURATION_TOO_LONG: (a) => `${a.to}시간은 최대 ${a.dur('maxMs')}까지예요`,
  NUMBER_MISSING: (a) => `${a.to}미션 번호를 입력해 주세요 (예: 4)`,
  NUMBER_INVALID: (a) => `${a.to}"${a.token('token')}"은(는) 미션 번호가 아니에요 (예: 4, #4)`,
  TARGET_MISSING: (a) => `${a.to}대상을 입력해 주세요 (예: @bob)`,
  TARGET_INVALID: (a) => `${a.to}"${a.token('token')}"은(는) 트위치 아이디가 아니에요`,
  TEXT_EMPTY: (a) => `${a.to}미션 내용을 입력해 주세요`,
  TEXT_TOO_LONG: (a) => `${a.to}미션 내용이 너무 길어요 (${a.s('length')}/${a.s('max')}자)`,
  UNEXPECTED_ARGUMENT: (a) => `${a.to}"${a.token('token')}"은(는) 필요 없는 입력이에요`,

  // Usage lines, one per command.
  'usage.propose': () => '사용법: !mission <내용> [금액] [시간] 예) !mission 노데스 클리어 100 30분',
  'usage.show': () => '사용법: !mission <미션번호> 예) !mission 4',
  'usage.list': () => '사용법: !missions',
  'usage.pledge': () => '사용법: !pledge <미션번호> <금액> 예) !pledge 4 100',
  'usage.balance': () => '사용법: !points [@아이디]',
  'usage.approve': () => '사용법: !mission approve <미션번호> 예) !mission approve 4',
  'usage.reject': () => '사용법: !mission reject <미션번호> [사유] 예) !mission reject 4 너무 쉬움',
  'usage.success': () => '사용법: !mission success <미션번호> 예) !mission success 4',
  'usage.fail': () => '사용법: !mission fail <미션번호> 예) !mission fail 4',
  'usage.cancel': () => '사용법: !mission cancel <미션번호> [사유] 예) !mission cancel 4',
  'usage.extend': () => '사용법: !mission extend <미션번호> <추가할 시간> 예) !mission extend 4 10분 (10분 추가)',
  'usage.give': () => '사용법: !points give @아이디 <금액> [사유] 예) !points give @bob 500 추첨 당첨',
  'usage.take': () => '사용법: !points take @아이디 <금액> [사유] 예) !points take @bob 500',
  'usage.pause': () => '사용법: !mission pause',
  'usage.resume': () => '사용법: !mission resume',
};
