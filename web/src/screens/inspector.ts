// Placeholder until the inspector screen lands.
import { t } from '../i18n';
import { html, nothing, render, type Mount } from '../ui';

export const mount: Mount = (root) => {
  render(html`<section class="card"><h1>${t('nav.inspector')}</h1></section>`, root);
  return () => render(nothing, root);
};
