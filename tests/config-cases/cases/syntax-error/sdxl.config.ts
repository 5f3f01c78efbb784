export default { seed: 1,, };
