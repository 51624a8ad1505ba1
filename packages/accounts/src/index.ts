export { createAccountsStore, AccountsRefusal, type AccountsStore, type LinkedAccount } from './accounts-store.ts';
export { sealSecret, openSecret, secretsKeyFrom } from './secret-box.ts';
export { createAccountScope, type AccountScope, type Scoped } from './account-scope.ts';
