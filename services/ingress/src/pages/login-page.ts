const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The sign-in form the history page answers with (401) until the browser holds a session cookie. */
export function loginPage(message?: string): string {
  const error = message ? `<p class="form-error" role="alert" id="login-error">${escapeHtml(message)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Deal Desk Alerts</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/history.css">
</head>
<body class="login">
<main class="login-card">
  <h1>Deal Desk Alerts</h1>
  <p>Enter the API token to see the alert history. In sandbox mode it is printed when <code>npm start</code> starts.</p>
  ${error}
  <form method="post" action="/login">
    <label for="token">API token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required autofocus${message ? ' aria-describedby="login-error" aria-invalid="true"' : ''}>
    <button type="submit">Sign in</button>
  </form>
  <p class="hint"><a href="/docs">API documentation</a></p>
</main>
</body>
</html>
`;
}
