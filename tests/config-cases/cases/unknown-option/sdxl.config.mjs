export default { learning_rate: 1e-5, maxTrainStep: 10 };
