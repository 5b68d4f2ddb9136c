// Public surface of the control API: the server the UI talks to, and the onboarding
// helpers the engine's proxy listener calls.
export { startControlApi, type ControlApi, type ControlApiOptions } from './server.js';
export { isOnboardingRequest, isOnboardingHost, serveOnboarding, ONBOARDING_HOST, type OnboardingContext } from './onboarding.js';
export type { LiveMessage } from './live-socket.js';
export type { OnboardingInfo, CaDownload } from './onboarding-info.js';
export type { ViewInfo } from './session-view.js';
