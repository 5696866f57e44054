/**
 * The extension's settings and what they become: the server's command line and the
 * settings object the server reads.
 *
 * Kept free of the `vscode` module so the rules for finding the server are plain functions
 * of their inputs, easy to reason about and to test.
 */

/** The settings section every key lives under (`autograd-lint.select`, ...). */
export const SECTION = "autograd-lint";

export type RuntimeCheck = "off" | "mini" | "torch";
export type Device = "cpu" | "cuda" | "auto";

/** Everything the user can set, with defaults already applied. */
export interface ExtensionSettings {
  path: string;
  interpreter: string;
  select: string[];
  ignore: string[];
  runtimeCheck: RuntimeCheck;
  device: Device;
  /** Each bound tensor's autograd facts shown inline (the server's `inlayHints`). */
  inlayHints: boolean;
  /** The server-facing keys the user set somewhere (user, workspace or folder settings). */
  explicit: ReadonlySet<ServerKey>;
}

/** What the server is told (initializationOptions and didChangeConfiguration). */
export interface ServerSettings {
  select?: string[];
  ignore?: string[];
  runtimeCheck?: RuntimeCheck;
  device?: Device;
  inlayHints?: boolean;
}

export type ServerKey = keyof ServerSettings;
export const SERVER_KEYS: readonly ServerKey[] = [
  "select",
  "ignore",
  "runtimeCheck",
  "device",
  "inlayHints",
];

/** How to start the server process. */
export interface ServerCommand {
  command: string;
  args: string[];
}

const RUNTIME_CHECKS: readonly RuntimeCheck[] = ["off", "mini", "torch"];
const DEVICES: readonly Device[] = ["cpu", "cuda", "auto"];

/** A minimal view of `vscode.WorkspaceConfiguration`. */
export interface ConfigurationReader {
  get<T>(key: string): T | undefined;
  inspect<T>(key: string):
    | {
        globalValue?: T;
        workspaceValue?: T;
        workspaceFolderValue?: T;
        globalLanguageValue?: T;
        workspaceLanguageValue?: T;
        workspaceFolderLanguageValue?: T;
      }
    | undefined;
}

function isSet(config: ConfigurationReader, key: string): boolean {
  const where = config.inspect<unknown>(key);
  if (!where) {
    return false;
  }
  return [
    where.globalValue,
    where.workspaceValue,
    where.workspaceFolderValue,
    where.globalLanguageValue,
    where.workspaceLanguageValue,
    where.workspaceFolderLanguageValue,
  ].some((value) => value !== undefined);
}

function stringList(value: unknown): string[] {
  if (typeof value === "string") {
    return value
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part.length > 0);
  }
  if (Array.isArray(value)) {
    return value.filter((item): item is string => typeof item === "string" && item.trim() !== "");
  }
  return [];
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  return typeof value === "string" && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : fallback;
}

/** Reads the `autograd-lint.*` settings, replacing missing or malformed values by defaults. */
export function readSettings(config: ConfigurationReader): ExtensionSettings {
  const text = (key: string): string => {
    const value = config.get<unknown>(key);
    return typeof value === "string" ? value.trim() : "";
  };
  return {
    path: text("path"),
    interpreter: text("interpreter"),
    select: stringList(config.get<unknown>("select")),
    ignore: stringList(config.get<unknown>("ignore")),
    runtimeCheck: oneOf(config.get<unknown>("runtimeCheck"), RUNTIME_CHECKS, "mini"),
    device: oneOf(config.get<unknown>("device"), DEVICES, "cpu"),
    inlayHints: config.get<unknown>("inlayHints") === true,
    explicit: new Set(SERVER_KEYS.filter((key) => isSet(config, key))),
  };
}

/**
 * The part of the settings that the server acts on (the rest only says how to start it).
 *
 * Only the keys the user set are sent: a default sent as if chosen would override the
 * project's `[tool.autograd-lint]` table, which the server reads for everything unset here.
 */
export function serverSettings(settings: ExtensionSettings): ServerSettings {
  const all: Required<ServerSettings> = {
    select: settings.select,
    ignore: settings.ignore,
    runtimeCheck: settings.runtimeCheck,
    device: settings.device,
    inlayHints: settings.inlayHints,
  };
  const chosen: ServerSettings = {};
  for (const key of SERVER_KEYS) {
    if (settings.explicit.has(key)) {
      Object.assign(chosen, { [key]: all[key] });
    }
  }
  return chosen;
}

/**
 * The server's command line.
 *
 * An explicit `path` wins; then an explicit `interpreter` (`-m autograd_lint server`); then an
 * `autograd-lint` found on `PATH`; last `python3 -m autograd_lint server`.
 * `findOnPath` is injected so the choice can be made without touching the file system.
 */
export function serverCommand(
  settings: ExtensionSettings,
  findOnPath: (name: string) => string | undefined,
): ServerCommand {
  if (settings.path) {
    return { command: settings.path, args: ["server"] };
  }
  if (settings.interpreter) {
    return { command: settings.interpreter, args: ["-m", "autograd_lint", "server"] };
  }
  const onPath = findOnPath("autograd-lint");
  if (onPath) {
    return { command: onPath, args: ["server"] };
  }
  return { command: findOnPath("python3") ?? "python3", args: ["-m", "autograd_lint", "server"] };
}

/** Whether a change to these settings needs a new server process (not just new settings). */
export function needsRestart(before: ExtensionSettings, after: ExtensionSettings): boolean {
  return before.path !== after.path || before.interpreter !== after.interpreter;
}
