// What a screen's state says to the user: a translation key with its values, or an error the view
// words with errorText (ui.ts). State modules hold these; only views turn them into text.
import { t } from '../i18n';
import { errorText } from '../ui';

export type Message = { key: string; values?: Record<string, unknown> } | { error: unknown };

export function say(m: Message): string {
  return 'key' in m ? t(m.key, m.values) : errorText(m.error);
}
