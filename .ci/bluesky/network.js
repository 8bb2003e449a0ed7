// Starts the AT Protocol's reference servers (PLC, PDS, AppView) on loopback for Triage's
// Bluesky tests, prints their addresses as one line of JSON, and stops them when its
// standard input closes or it is told to stop (SIGTERM, SIGINT).
//
// Needs DB_POSTGRES_URL (a PostgreSQL the AppView may create schemas in) and REDIS_HOST
// (host:port). The package's own `dev-env` command seeds mock data and crashes on it, so
// the network is made here with TestNetwork.create.
'use strict'

const { TestNetwork } = require('@atproto/dev-env')

async function main() {
  const schema = process.env.DB_POSTGRES_SCHEMA || 'triage'
  const network = await TestNetwork.create({
    dbPostgresSchema: schema,
    pds: { rateLimitsEnabled: false },
  })
  let stopping = false
  const stop = async (code) => {
    if (stopping) return
    stopping = true
    try {
      await network.close()
    } catch (err) {
      process.stderr.write(`stopping the network failed: ${err}\n`)
      code = code || 1
    }
    process.exit(code)
  }
  process.on('SIGTERM', () => stop(0))
  process.on('SIGINT', () => stop(0))
  process.stdin.on('end', () => stop(0))
  process.stdin.on('error', () => stop(0))
  process.stdin.resume()
  process.stdout.write(JSON.stringify({
    pds: network.pds.url,
    appview: network.bsky.url,
    plc: network.plc.url,
    schema,
  }) + '\n')
}

main().catch((err) => {
  process.stderr.write(`the Bluesky test network did not start: ${err && err.stack || err}\n`)
  process.exit(1)
})
