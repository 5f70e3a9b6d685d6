// A loopback port that never answers a connection, as a security group dropping the SYN behaves: a listener whose
// process is stopped, its backlog filled, so the kernel drops further connection attempts unanswered.
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';

export interface UnansweredPort {
  port: number;
  close(): void;
}

export async function startUnansweredPort(): Promise<UnansweredPort> {
  const listener = spawn(process.execPath, [
    '-e',
    "require('node:net').createServer().listen({ host: '127.0.0.1', port: 0, backlog: 1 }, function () { console.log(this.address().port) })",
  ]);
  const port = await new Promise<number>((resolve) =>
    listener.stdout?.once('data', (data) => resolve(Number(String(data).trim()))),
  );
  listener.kill('SIGSTOP');
  const fillers: Socket[] = [];
  for (let i = 0; i < 6; i++) fillers.push(connect(port, '127.0.0.1').on('error', () => {}));
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    port,
    close() {
      for (const socket of fillers) socket.destroy();
      listener.kill('SIGKILL');
    },
  };
}
