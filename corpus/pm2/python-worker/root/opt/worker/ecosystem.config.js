// Python queue workers kept alive by PM2.
module.exports = {
  apps: [
    {
      name: 'ingest',
      script: 'worker.py',
      cwd: '/opt/worker',
      interpreter: '/opt/worker/venv/bin/python',
      interpreter_args: '-u',
      args: ['--queue', 'ingest', '--concurrency', '4'],
      user: 'worker',
      stop_exit_codes: [0, 3],
      restart_delay: 5000,
      kill_signal: 'SIGTERM',
      kill_timeout: 30000,
      env: { PYTHONPATH: '/opt/worker/src', QUEUE_URL: 'redis://127.0.0.1:6379/2' },
    },
    {
      name: 'scheduler',
      script: 'scheduler.py',
      cwd: '/opt/worker',
      interpreter: 'python3',
      autorestart: false,
      max_restarts: 3,
    },
    {
      // no interpreter: PM2 picks one from the extension
      name: 'report',
      script: '/opt/worker/report.py',
      args: '--since "7 days ago" --format=csv',
    },
    {
      name: 'celery',
      script: '/opt/worker/venv/bin/celery',
      args: '-A tasks worker --loglevel=INFO -Q default,emails',
      interpreter: 'none',
      cwd: '/opt/worker',
      stop_exit_codes: 0,
    },
    {
      name: 'backup',
      script: 'scripts/backup.sh',
      cwd: '/opt/worker',
      autostart: false,
      autorestart: false,
    },
  ],
};
