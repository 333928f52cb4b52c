/** Strings of the missions history and mission pages; the Korean dictionary has the same shape (checked by the compiler). */
export const historyEn = {
  title: 'Missions',
};

export const historyKo: typeof historyEn = {
  title: '미션 기록',
};
