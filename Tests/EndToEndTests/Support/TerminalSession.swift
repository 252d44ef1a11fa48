import Foundation

/// Runs `mynacard` on a pseudo-terminal as a shell would — its own process group in the foreground of a
/// session whose leader waits for it, so that job control (SIGTSTP) works — and follows a script of steps:
/// wait for text on the screen, check whether the terminal echoes, send a signal, type, feed a FIFO.
/// The driver is Python's `pty`/`termios` (python3 is on every test machine: the fixtures need it).
enum TerminalSession {
    /// One step of the script.
    enum Step {
        /// Wait until `text` has appeared on the screen (since the previous `expect`).
        case expect(String)
        /// Check that the terminal echoes typed characters (`true`) or not.
        case echo(Bool)
        /// Send a signal ("INT", "TERM", "HUP", "TSTP", "CONT") to mynacard.
        case signal(String)
        /// Wait until mynacard is stopped (after SIGTSTP).
        case stopped
        /// Wait until mynacard has ended.
        case ended
        /// Type `text` on the terminal.
        case type(String)
        /// Write `text` into the FIFO at `path` (opened when the session starts) and close it.
        case feedFIFO(path: String, text: String)
        /// Run another program to its end (at most `timeout` seconds) while mynacard waits; its exit code and
        /// output are in ``Result/runs``.
        case run([String], timeout: Double = 30)
        /// Create an empty file at `path` (to tell the test that the script got here).
        case createFile(String)
        /// Wait until a file exists at `path` (the test's go-ahead).
        case awaitFile(String)
    }

    /// Another program run by a ``Step/run(_:timeout:)`` step.
    struct Run {
        var arguments: [String]
        var exitCode: Int?
        var stdout: String
        var stderr: String
        var timedOut: Bool
    }

    /// How the session ended: mynacard's exit code or the signal that ended it, everything the terminal
    /// showed, and the first step that failed, if any.
    struct Result {
        var exitCode: Int?
        var signal: Int?
        var screen: String
        var failure: String?
        var runs: [Run] = []
    }

    /// Runs `mynacard arguments…` through `steps`, then waits for it to end (`timeout` seconds per step).
    static func run(_ arguments: [String], steps: [Step], fifos: [String] = [], timeout: Double = 20) throws -> Result {
        let binary = EmulatedCardFixture.binDirectory.appendingPathComponent("mynacard").path
        let encodedSteps: [[String: Any]] = steps.map { step in
            switch step {
            case .expect(let text): ["expect": text]
            case .echo(let on): ["echo": on ? "on" : "off"]
            case .signal(let name): ["signal": name]
            case .stopped: ["stopped": ""]
            case .ended: ["ended": ""]
            case .type(let text): ["type": text]
            case .feedFIFO(let path, let text): ["fifo": path, "text": text]
            case .run(let arguments, let timeout): ["run": arguments, "timeout": timeout]
            case .createFile(let path): ["create": path]
            case .awaitFile(let path): ["await": path]
            }
        }
        let configuration: [String: Any] = ["argv": [binary] + arguments, "steps": encodedSteps, "fifos": fifos, "timeout": timeout]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: configuration), as: UTF8.self)
        let result = try EmulatedCardFixture.runProcess(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", driver, json],
                                                        timeout: timeout * Double(steps.count + 2))
        guard let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any] else {
            throw FixtureError("the terminal driver failed (exit \(result.exitCode)): \(result.stderr)")
        }
        let runs = (object["runs"] as? [[String: Any]] ?? []).map { run in
            Run(arguments: run["argv"] as? [String] ?? [], exitCode: run["exit"] as? Int, stdout: run["stdout"] as? String ?? "",
                stderr: run["stderr"] as? String ?? "", timedOut: run["timedOut"] as? Bool ?? false)
        }
        return Result(exitCode: object["exit"] as? Int, signal: object["signal"] as? Int,
                      screen: object["screen"] as? String ?? "", failure: object["failure"] as? String, runs: runs)
    }

    private static let driver = #"""
import fcntl, json, os, select, signal, subprocess, sys, termios, time

config = json.loads(sys.argv[1])
timeout = config["timeout"]
master, slave = os.openpty()
status_read, status_write = os.pipe()
fifo_fds = {path: os.open(path, os.O_RDWR) for path in config["fifos"]}

leader = os.fork()
if leader == 0:
    # The session leader, as a login shell: the terminal is its controlling terminal.
    os.setsid()
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    os.close(master)
    os.close(status_read)
    for fd in fifo_fds.values():
        os.close(fd)
    child = os.fork()
    if child == 0:
        # The job: its own process group, in the foreground, with signals as a shell leaves them (the test
        # runner's threads block some, and Python ignores SIGPIPE).
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        os.setpgid(0, 0)
        signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        os.tcsetpgrp(0, os.getpid())
        signal.signal(signal.SIGTTOU, signal.SIG_DFL)
        os.execv(config["argv"][0], config["argv"])
    try:
        os.setpgid(child, child)
    except OSError:
        pass
    os.write(status_write, ("pid %d\n" % child).encode())
    while True:
        _, status = os.waitpid(child, os.WUNTRACED)
        if os.WIFSTOPPED(status):
            os.write(status_write, ("stopped %d\n" % os.WSTOPSIG(status)).encode())
            continue
        if os.WIFSIGNALED(status):
            os.write(status_write, ("signal %d\n" % os.WTERMSIG(status)).encode())
        else:
            os.write(status_write, ("exit %d\n" % os.WEXITSTATUS(status)).encode())
        os._exit(0)

os.close(status_write)
screen = b""
runs = []
seen = 0
status_buffer = b""
events = []

def pump(wait):
    global screen, status_buffer
    ready, _, _ = select.select([master, status_read], [], [], wait)
    if master in ready:
        try:
            screen += os.read(master, 65536)
        except OSError:
            pass
    if status_read in ready:
        data = os.read(status_read, 4096)
        status_buffer += data
        while b"\n" in status_buffer:
            line, status_buffer = status_buffer.split(b"\n", 1)
            events.append(line.decode())

def wait_for(predicate):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        pump(0.05)
    return predicate()

def finish(failure=None):
    result = {"screen": screen.decode("utf-8", "replace"), "runs": runs}
    if failure:
        result["failure"] = failure
    for event in events:
        kind, _, value = event.partition(" ")
        if kind in ("exit", "signal"):
            result[kind] = int(value)
    print(json.dumps(result))
    sys.exit(0)

if not wait_for(lambda: any(e.startswith("pid ") for e in events)):
    finish("mynacard did not start")
pid = int([e for e in events if e.startswith("pid ")][0].split()[1])

def ended():
    return any(e.split()[0] in ("exit", "signal") for e in events)

for step in config["steps"]:
    if "expect" in step:
        text = step["expect"].encode()
        if not wait_for(lambda: text in screen[seen:]):
            finish("did not see %r" % step["expect"])
        seen = screen.index(text, seen) + len(text)
    elif "echo" in step:
        pump(0.2)
        echoing = bool(termios.tcgetattr(slave)[3] & termios.ECHO)
        if echoing != (step["echo"] == "on"):
            finish("the terminal echo is %s, expected %s" % ("on" if echoing else "off", step["echo"]))
    elif "signal" in step:
        os.kill(pid, getattr(signal, "SIG" + step["signal"]))
    elif "stopped" in step:
        if not wait_for(lambda: any(e.startswith("stopped") for e in events)):
            finish("mynacard did not stop")
    elif "ended" in step:
        if not wait_for(ended):
            finish("mynacard did not end")
    elif "type" in step:
        os.write(master, step["type"].encode())
    elif "fifo" in step:
        fd = fifo_fds.pop(step["fifo"])
        os.write(fd, step["text"].encode())
        os.close(fd)
    elif "run" in step:
        argv = step["run"]
        other = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = other.communicate(timeout=float(step["timeout"]))
            runs.append({"argv": argv, "exit": other.returncode, "stdout": out.decode("utf-8", "replace"),
                         "stderr": err.decode("utf-8", "replace"), "timedOut": False})
        except subprocess.TimeoutExpired:
            other.kill()
            out, err = other.communicate()
            runs.append({"argv": argv, "stdout": out.decode("utf-8", "replace"), "stderr": err.decode("utf-8", "replace"),
                         "timedOut": True})
        pump(0)
    elif "create" in step:
        open(step["create"], "w").close()
    elif "await" in step:
        if not wait_for(lambda: os.path.exists(step["await"])):
            finish("the test did not go ahead")

if not wait_for(ended):
    os.kill(pid, signal.SIGKILL)
    finish("mynacard did not end")
pump(0.2)
finish()
"""#
}
