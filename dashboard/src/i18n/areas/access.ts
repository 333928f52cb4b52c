/** Strings of the API tokens and signed-in sessions pages; the Korean dictionary has the same shape (checked by the compiler). */
export const accessEn = {
  title: 'Tokens and sessions',
};

export const accessKo: typeof accessEn = {
  title: '토큰과 세션',
};
