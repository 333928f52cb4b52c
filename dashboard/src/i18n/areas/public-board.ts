/** Strings of the public board pages; the Korean dictionary has the same shape (checked by the compiler). */
export const publicBoardEn = {
  title: 'Mission board',
};

export const publicBoardKo: typeof publicBoardEn = {
  title: '미션 보드',
};
