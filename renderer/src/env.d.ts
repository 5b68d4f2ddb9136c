// engine-port.ts (imported for its types) names Node's Buffer in exportCa(). The UI never
// calls that, and must not get Node's globals, so Buffer is only declared as bytes here.
interface Buffer extends Uint8Array {}
