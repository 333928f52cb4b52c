/** Strings of the channel settings pages; the Korean dictionary has the same shape (checked by the compiler). */
export const settingsEn = {
  title: 'Settings',
};

export const settingsKo: typeof settingsEn = {
  title: '설정',
};
