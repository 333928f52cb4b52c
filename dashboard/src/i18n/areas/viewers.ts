/** Strings of the viewers and viewer pages; the Korean dictionary has the same shape (checked by the compiler). */
export const viewersEn = {
  title: 'Viewers',
};

export const viewersKo: typeof viewersEn = {
  title: '시청자',
};
