// The signed-in user on this device. The token is kept in localStorage so the app opens signed in
// after a reload or offline; it expires on the server at `expires_at`.
export type Role = 'vaccinator' | 'vet' | 'inspector' | 'admin' | 'auditor';

export interface User {
  id: string;
  username: string;
  role: Role;
  authority: string;
}

export interface Session {
  token: string;
  expires_at: string;
  user: User;
}

export const SESSION_KEY = 'hp.session';
const KEY = SESSION_KEY;

export function session(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session): void {
  localStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}

// The screens a role may open, first one is its home.
export function screensFor(role: Role): string[] {
  switch (role) {
    case 'vaccinator':
      return ['/vaccinator', '/due', '/outbreaks', '/verify'];
    case 'vet':
      return ['/vet', '/vaccinator', '/inspector', '/dashboard', '/due', '/outbreaks', '/map', '/verify'];
    case 'inspector':
      return ['/inspector', '/verify'];
    case 'admin':
      return ['/dashboard', '/vet', '/outbreaks', '/map', '/sms', '/verify'];
    case 'auditor':
      return ['/dashboard', '/map', '/verify'];
  }
}
