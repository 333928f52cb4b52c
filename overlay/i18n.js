/** The overlay's few labels. Chat-side wording lives with the bot; these only have to fit a card. */

const STRINGS = {
  en: {
    open: 'Live',
    closed: "Time's up",
    pending: 'Pending',
    awaitingApproval: 'Awaiting approval',
    awaitingVerdict: 'Awaiting verdict',
    backers: (n) => (n === 1 ? 'backer' : 'backers'),
    newest: 'latest',
    burstBackers: (n, fmt) => `+${fmt(n)} ${n === 1 ? 'backer' : 'backers'}`,
    burstAmount: (amount, currency) => `+${amount} ${currency}`,
    more: (n) => `+${n} more`,
    succeeded: 'SUCCESS!',
    failed: 'FAILED',
    expired: "TIME'S UP",
    cancelled: 'CANCELLED',
    rejected: 'REJECTED',
    paid: (pot, currency) => `${pot} ${currency} go to the streamer`,
    refunded: (backers, pot, currency) =>
      backers > 0 ? `${backers} ${backers === 1 ? 'backer' : 'backers'} refunded ${pot} ${currency}` : 'refunded',
  },
  ko: {
    open: '진행 중',
    closed: '시간 종료',
    pending: '승인 대기',
    awaitingApproval: '승인 대기 중',
    awaitingVerdict: '판정 대기 중',
    backers: () => '명 참여',
    newest: '최근',
    burstBackers: (n, fmt) => `+${fmt(n)}명 참여`,
    burstAmount: (amount, currency) => `+${amount} ${currency}`,
    more: (n) => `+${n}개 더`,
    succeeded: '미션 성공!',
    failed: '미션 실패',
    expired: '시간 초과',
    cancelled: '미션 취소',
    rejected: '미션 거절',
    paid: (pot, currency) => `${pot} ${currency}가 스트리머에게`,
    refunded: (backers, pot, currency) => (backers > 0 ? `${backers}명에게 ${pot} ${currency} 환불` : '환불 완료'),
  },
};

/** @param {string} locale */
export function stringsFor(locale) {
  return STRINGS[locale] ?? STRINGS.en;
}

/** Thousands separators in the overlay's language. */
export function numberFormatter(locale) {
  const format = new Intl.NumberFormat(locale === 'ko' ? 'ko-KR' : 'en-US');
  return (value) => format.format(value);
}

/** "12:34", "1:02:03"; never negative. */
export function formatClock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const two = (n) => String(n).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes)}:${two(seconds)}` : `${minutes}:${two(seconds)}`;
}
