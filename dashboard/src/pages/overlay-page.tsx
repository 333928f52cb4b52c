/**
 * `/c/<channel>/overlay`: a live preview (the real overlay page in a frame), its URL with a copy
 * button and the OBS size, rotate key (with its warning), a test event, and the connected count.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, channelPath } from '../api/client.js';
import type { Channel } from '../api/types.js';
import { useApp } from '../app-context.js';
import { useI18n } from '../i18n/index.js';

export function OverlayPage({ channel }: { channel: string }) {
  const { api, announce } = useApp();
  const { t, n } = useI18n();
  const [info, setInfo] = useState<Channel | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [connected, setConnected] = useState<number | null>(null);
  const [copied, setCopied] = useState(false);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    document.title = `${t.overlay.title(channel)} — Mission Link`;
  }, [channel, t]);

  const loadStatus = () =>
    api
      .get<{ connected: number }>(`${channelPath(channel)}/overlay/status`)
      .then((s) => setConnected(s.connected))
      .catch(() => undefined);

  useEffect(() => {
    api
      .get<Channel>(channelPath(channel))
      .then(setInfo)
      .catch((err: unknown) => setError(err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network));
    void loadStatus();
  }, [api, channel]);

  const failed = (err: unknown) => announce(err instanceof ApiError && err.status !== 0 ? err.message : t.errors.network, 'error');

  const copy = async () => {
    if (!info?.overlayUrl) return;
    try {
      await navigator.clipboard.writeText(info.overlayUrl);
    } catch {
      const field = document.getElementById('overlay-url') as HTMLInputElement | null;
      field?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  };

  const rotate = async () => {
    setBusy(true);
    try {
      const next = await api.post<Channel>(`${channelPath(channel)}/overlay-key`);
      setInfo((old) => ({ ...(old ?? next), ...next }));
      setConfirmRotate(false);
      announce(t.overlay.rotated);
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  };

  const sendTest = async () => {
    setBusy(true);
    try {
      const result = await api.post<{ connected: number }>(`${channelPath(channel)}/overlay/test`);
      setConnected(result.connected);
      announce(t.overlay.testSent);
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  };

  if (error) return <p role="alert">{error}</p>;
  if (!info) return <p aria-busy="true">{t.loading}</p>;
  if (!info.overlayUrl) return <p role="alert">{t.overlay.ownerOnly}</p>;

  return (
    <section class="overlay-page" aria-labelledby="overlay-title">
      <h1 id="overlay-title">{t.overlay.title(channel)}</h1>
      <div class="overlay-layout">
        <div class="card preview-card">
          <h2>{t.overlay.preview}</h2>
          <ScaledPreview src={info.overlayUrl} title={t.overlay.preview} onLive={() => void loadStatus()} />
          <p class="muted connected" data-connected={connected ?? ''}>
            {connected === null ? '—' : t.overlay.connected(connected, n)}{' '}
            <button type="button" class="btn btn-quiet" onClick={() => void loadStatus()}>
              {t.overlay.refresh}
            </button>
          </p>
        </div>
        <div class="overlay-side">
          <div class="card">
            <label for="overlay-url">
              <h2>{t.overlay.url}</h2>
            </label>
            <div class="url-row">
              <input id="overlay-url" readOnly value={info.overlayUrl} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
              <button type="button" class="btn btn-primary" onClick={() => void copy()}>
                {copied ? t.overlay.copied : t.overlay.copy}
              </button>
            </div>
            <p class="obs-size">{t.overlay.obsSize}</p>
          </div>
          <div class="card">
            <h2>{t.overlay.test}</h2>
            <p class="muted">{t.overlay.testHint}</p>
            <button type="button" class="btn" disabled={busy} onClick={() => void sendTest()}>
              {t.overlay.test}
            </button>
          </div>
          <div class="card">
            <h2>{t.overlay.rotate}</h2>
            <p class="warning" id="rotate-warning">
              {t.overlay.rotateWarning}
            </p>
            {confirmRotate ? (
              <div class="dialog-buttons">
                <button type="button" class="btn" onClick={() => setConfirmRotate(false)}>
                  {t.actions.back}
                </button>
                <button type="button" class="btn btn-danger" disabled={busy} aria-describedby="rotate-warning" onClick={() => void rotate()}>
                  {t.actions.confirm}
                </button>
              </div>
            ) : (
              <button type="button" class="btn btn-danger" aria-describedby="rotate-warning" onClick={() => setConfirmRotate(true)}>
                {t.overlay.rotate}
              </button>
            )}
          </div>
        </div>
      </div>
    </section>
  );
}

/**
 * The 1920×1080 overlay scaled down to the card's width, as OBS would show it. It is this
 * server's own page, so the dashboard can see when its socket is live and recount then.
 */
function ScaledPreview({ src, title, onLive }: { src: string; title: string; onLive(): void }) {
  const box = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLIFrameElement>(null);
  const watcher = useRef<MutationObserver | null>(null);
  const [scale, setScale] = useState(0.3);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setScale(el.clientWidth / 1920));
    observer.observe(el);
    return () => {
      observer.disconnect();
      watcher.current?.disconnect();
    };
  }, []);
  const watch = () => {
    watcher.current?.disconnect();
    const root = frame.current?.contentDocument?.documentElement;
    if (!root) return;
    let wasLive = false;
    const check = () => {
      const live = root.dataset.connection === 'live';
      if (live && !wasLive) onLive();
      wasLive = live;
    };
    watcher.current = new MutationObserver(check);
    watcher.current.observe(root, { attributes: true, attributeFilter: ['data-connection'] });
    check();
  };
  return (
    <div class="preview-frame" ref={box}>
      <iframe ref={frame} title={title} src={src} width={1920} height={1080} style={{ transform: `scale(${scale})` }} onLoad={watch} />
    </div>
  );
}
