// Test support: run `node <bin> ...args --pretty false` as a child process and collect its output
// (asynchronously, so the event loop and vitest's timeouts keep running).
import { spawn } from 'node:child_process';

export interface Run { status: number | null; stdout: string; stderr: string }

export function runNode(bin: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args, '--pretty', 'false'], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
