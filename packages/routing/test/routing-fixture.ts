/** README: who gets the call's example document. */
export const goodDocument = {
  recipients: [
    { id: 'vp', name: 'Jordan Lee', phone: '+15550100100', timezone: 'America/New_York', quiet_hours: '21:00-07:00' },
    { id: 'cro', name: 'Alex Kim', phone: '+15550100400' },
  ],
  routes: [
    { name: 'big deals', match: { min_amount: 500000 }, call: ['cro', 'vp'] },
    { name: 'everything else', match: {}, call: ['vp'] },
  ],
  reps: [{ email: 'priya@seller.example', name: 'Priya Raman', phone: '+15550100201' }],
};
