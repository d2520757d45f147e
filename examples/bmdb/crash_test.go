package bmdb_test

const workerEnv = "BMDB_CRASH_WORKER"

func crashWorker() int { return 0 }
