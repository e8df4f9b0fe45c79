export { CLI_NAME, cliCommand } from './shipped-cli';
