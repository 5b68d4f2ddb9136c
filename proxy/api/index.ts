// Public surface of the control API: the server the UI talks to, and the onboarding
// helpers the engine's proxy listener calls.
export { startControlApi, type ControlApi, type ControlApiOptions } from './server.js';
export { isOnboardingRequest, isOnboardingHost, serveOnboarding, ONBOARDING_HOST, type OnboardingContext } from '../onboarding/serve.js';
export type { LiveMessage, ViewInfo, StatusResponse, EventsResponse, OnboardingInfo, CaDownload } from './protocol.js';
