// Vite's client types: `?worker` imports (Monaco's workers) and import.meta.env.
/// <reference types="vite/client" />
