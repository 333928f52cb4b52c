/** Strings of the audit trail (activity) pages; the Korean dictionary has the same shape (checked by the compiler). */
export const activityEn = {
  title: 'Activity',
};

export const activityKo: typeof activityEn = {
  title: '활동 기록',
};
