// What the kubelet reports about its machine (cAdvisor's MachineInfo and the node's nodeInfo):
// CPUs, memory, the root filesystem's size, machine/boot ids, kernel and OS image.

import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';

export interface MachineInfo {
  numCores: number;
  memoryBytes: number;
  /** Size of the filesystem holding the kubelet's root dir. */
  filesystemBytes: number;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  operatingSystem: string;
  architecture: string;
}

async function readTrimmed(path: string): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return '';
  }
}

async function osImage(): Promise<string> {
  const text = await readTrimmed('/etc/os-release');
  const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
  return m ? m[1] : `${os.type()} ${os.release()}`;
}

/** Go's GOARCH names, as Kubernetes labels and reports them. */
export function goArch(arch: string = process.arch): string {
  return arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
}

export async function readMachineInfo(rootDir: string): Promise<MachineInfo> {
  let filesystemBytes = 0;
  try {
    const fs = await statfs(rootDir);
    filesystemBytes = fs.blocks * fs.bsize;
  } catch {
    // unknown: reported as 0
  }
  const machineID = (await readTrimmed('/etc/machine-id')) || (await readTrimmed('/var/lib/dbus/machine-id'));
  const systemUUID = (await readTrimmed('/sys/class/dmi/id/product_uuid')) || machineID;
  return {
    numCores: os.cpus().length || 1,
    memoryBytes: os.totalmem(),
    filesystemBytes,
    machineID,
    systemUUID,
    bootID: await readTrimmed('/proc/sys/kernel/random/boot_id'),
    kernelVersion: os.release(),
    osImage: await osImage(),
    operatingSystem: process.platform,
    architecture: goArch(),
  };
}

/** Bridges and veths of container networks: never the node's own address. */
const VIRTUAL_INTERFACE = /^(docker|br-|veth|cni|flannel|virbr|cbr|kube-|minik8s)/;

/** The node's IP: the first non-internal IPv4 address of a physical interface, else 127.0.0.1. */
export function defaultNodeIP(): string {
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    if (VIRTUAL_INTERFACE.test(name)) continue;
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}
