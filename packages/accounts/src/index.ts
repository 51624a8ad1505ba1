export { createAccountsStore, AccountsRefusal, type AccountsStore, type LinkedAccount } from './accounts-store.ts';
export { sealSecret, openSecret, secretsKeyFrom } from './secret-box.ts';
