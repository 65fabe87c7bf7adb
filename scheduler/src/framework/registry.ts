// Plugin name -> factory (upstream frameworkruntime.Registry). A profile names plugins; the
// framework builds each one once through its factory, with the plugin's args and the handle.

import type { Handle, Plugin } from './interfaces.ts';

export type PluginFactory = (args: unknown, handle: Handle) => Plugin;

export class Registry {
  private readonly factories = new Map<string, PluginFactory>();

  constructor(entries: Record<string, PluginFactory> = {}) {
    for (const [name, f] of Object.entries(entries)) this.register(name, f);
  }

  /** Adds a factory; a name can be registered once (out-of-tree plugins must pick new names). */
  register(name: string, factory: PluginFactory): void {
    if (this.factories.has(name)) throw new Error(`a plugin named ${name} already exists`);
    this.factories.set(name, factory);
  }

  get(name: string): PluginFactory | undefined {
    return this.factories.get(name);
  }

  has(name: string): boolean {
    return this.factories.has(name);
  }

  names(): string[] {
    return [...this.factories.keys()];
  }

  /** A registry holding this one's factories and `other`'s (names must not clash). */
  merge(other: Registry): Registry {
    const out = new Registry();
    for (const n of this.names()) out.register(n, this.get(n)!);
    for (const n of other.names()) out.register(n, other.get(n)!);
    return out;
  }
}
