/**
 * Preloaded (`node -r`) into each function process of the local stack: exits when the stack's end
 * of the stdin pipe closes, which the kernel does when the stack dies even by SIGKILL, so a killed
 * stack leaves no function servers behind.
 */
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
