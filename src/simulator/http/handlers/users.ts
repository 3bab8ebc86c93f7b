import type { Handler } from '../handler-context.js';

/** `GET /users/@me`: the account behind the token. https://discord.com/developers/docs/resources/user#get-current-user */
export const getCurrentUser: Handler = ({ user }) => ({
  status: 200,
  body: {
    ...user.user,
    public_flags: 0,
    flags: 0,
    banner: null,
    accent_color: null,
    locale: 'en-US',
    mfa_enabled: false,
    premium_type: 0,
    email: null,
    verified: true,
  },
});
