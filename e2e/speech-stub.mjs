// A stand-in for the Web Speech API (issue 18's reading aloud): headless Chromium has no
// voices. Passed to `context.addInitScript`, it replaces `speechSynthesis` and
// `SpeechSynthesisUtterance` before the page runs, records every utterance, and lets the test
// fire the engine's events (`__speech.boundary(i)`, `__speech.end()`), as a real engine would
// while speaking. `cancel()` reports an "interrupted" error for the utterance it cuts off, as
// Chromium does.
export function speechStub() {
  const voices = [
    { name: 'Test English', voiceURI: 'test-en', lang: 'en-US', localService: true, default: true },
    { name: 'Test Russian', voiceURI: 'test-ru', lang: 'ru-RU', localService: true, default: false },
    { name: 'Test Russian 2', voiceURI: 'test-ru-2', lang: 'ru-RU', localService: false, default: false },
  ];
  const log = { utterances: [], cancels: 0, pauses: 0, resumes: 0 };
  let current = null;
  class Utterance {
    constructor(text) {
      this.text = text;
      this.lang = '';
      this.rate = 1;
      this.voice = null;
    }
  }
  const synth = new EventTarget();
  synth.paused = false;
  synth.speaking = false;
  synth.pending = false;
  synth.getVoices = () => voices.slice();
  synth.speak = (u) => {
    log.utterances.push({ text: u.text, lang: u.lang, rate: u.rate, voice: u.voice ? u.voice.voiceURI : null });
    current = u;
    synth.speaking = true;
    setTimeout(() => u === current && u.onstart && u.onstart({ type: 'start', charIndex: 0 }), 0);
  };
  synth.cancel = () => {
    log.cancels += 1;
    const u = current;
    current = null;
    synth.speaking = false;
    if (u) setTimeout(() => u.onerror && u.onerror({ type: 'error', error: 'interrupted' }), 0);
  };
  synth.pause = () => {
    log.pauses += 1;
    synth.paused = true;
  };
  synth.resume = () => {
    log.resumes += 1;
    synth.paused = false;
  };
  Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = Utterance;
  window.__speech = {
    log,
    current: () => (current ? current.text : null),
    /** The engine reached the word at `charIndex` of the utterance being spoken. */
    boundary(charIndex) {
      if (current && current.onboundary) current.onboundary({ type: 'boundary', name: 'word', charIndex });
    },
    /** The utterance being spoken ended. */
    end() {
      const u = current;
      current = null;
      synth.speaking = false;
      if (u && u.onend) u.onend({ type: 'end' });
    },
  };
}
