// Vite build of the HerdPass web app. The service worker comes from vite-plugin-pwa (Workbox): it
// precaches the app shell and every language and screen chunk, so the app starts and works with no
// network once it has been opened online.
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { bootPlugin } from './boot.ts';

export default defineConfig({
  build: {
    target: 'es2020',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  // The trust list refresh runs in a module worker (src/trust_worker.ts).
  worker: { format: 'es' },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  plugins: [
    bootPlugin(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      manifest: {
        name: 'HerdPass',
        short_name: 'HerdPass',
        description: 'Livestock vaccinations and quarantine certificates, offline',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#1d5c3a',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,json,webmanifest,wasm}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//],
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        cleanupOutdatedCaches: true,
      },
    }),
  ],
});
