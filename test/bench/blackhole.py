# TCP black holes on loopback for the sweep benchmark: for each address, a listening socket whose
# accept queue is already full (listen(0) plus connections nobody accepts). Linux then drops new
# SYNs, so a connect() hangs until the prober's time-out, as it would against a dead load balancer.
import socket, sys, time
port = int(sys.argv[1])
addrs = [a for a in sys.stdin.read().split() if a]
keep = []
for a in addrs:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a, port))
    s.listen(0)
    keep.append(s)
    for _ in range(2):
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect((a, port))
        except BlockingIOError:
            pass
        keep.append(c)
time.sleep(0.5)
print("ready", flush=True)
sys.stdin = open("/dev/null")
while True:
    time.sleep(3600)
